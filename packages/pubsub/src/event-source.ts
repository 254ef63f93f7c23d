/**
 * Who may send us event notifications. A PEP service is an account
 * (XEP-0163 § 4.3.2): its events come from that account's bare JID, which
 * the account's server stamps. A pubsub service's events come from the
 * service's own JID (XEP-0060 § 7.1.2), and only services we subscribed to
 * (or were told to trust) are heard. Anything from a full JID is a forgery.
 */
import { type Jid, tryParseJid } from "@clawxmpp/core";

/** Where an event came from, or why it is refused. */
export type EventSource = { service: string; pep: boolean } | { refused: string };

/** Decides whether `from` may send events; `trusted` answers for non-account services. */
export function eventSource(
  from: string | undefined,
  account: Jid,
  trusted: (service: string) => boolean,
): EventSource {
  // RFC 6120 § 8.1.2.1: no `from` means our own account, i.e. our own PEP.
  if (from === undefined) return { service: account.bare, pep: true };
  const jid = tryParseJid(from);
  if (!jid) return { refused: "invalid sender" };
  if (jid.resource !== undefined) return { refused: "sent from a full JID" };
  if (jid.local !== undefined) return { service: jid.bare, pep: true };
  if (!trusted(jid.bare)) return { refused: "from a service we are not subscribed to" };
  return { service: jid.bare, pep: false };
}
