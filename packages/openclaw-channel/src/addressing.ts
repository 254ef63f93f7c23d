/**
 * Whether a message was addressed to this session (RFC 6121 §8.5): to our
 * bare JID, or to our own full JID. With XEP-0280 carbons the session also
 * receives copies of messages sent to the account's other resources
 * (`bot@example.org/phone`, a human's client): those are theirs, never the
 * agent's. Archived messages (XEP-0313 catch-up) may name the resource of an
 * earlier session of ours, which is the configured resource.
 */
import type { InboundMessage, Jid } from "@clawxmpp/core";

/** True when `message` is for us: no `to`, our bare JID, our session, or (archive) our resource. */
export function addressedToUs(
  message: Pick<InboundMessage, "to" | "via">,
  own: { account: Jid; session: Jid | undefined; resource: string },
): boolean {
  const to = message.to;
  if (to === undefined) return true;
  if (to.bare !== own.account.bare) return false;
  if (to.resource === undefined) return true;
  if (own.session !== undefined && to.full === own.session.full) return true;
  return message.via === "archive" && to.resource === own.resource;
}
