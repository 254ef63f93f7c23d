/**
 * Which rooms are believed about identity. A room's service asserts each
 * occupant's real JID (XEP-0045 §7.2.3) and the inviter of a mediated
 * invitation (§7.8.2): a hostile service can claim the owner's JID. So these
 * claims count only for rooms listed in `groups` and rooms on trusted
 * services: `trustedMucServices`, or by default the account server's own MUC
 * services (discovered with `muc.services()`; `conference.<domain>` until then).
 */
import { tryParseJid } from "@clawxmpp/core";
import type { ResolvedXmppAccount } from "./accounts.js";

/** The trust boundary of one account. */
export interface MucTrust {
  /** Whether `room`'s identity claims (real JIDs, mediated inviters) are believed. */
  trusts(room: string): boolean;
  /** Adds the discovered services of our own server (ignored when configured explicitly). */
  addDiscovered(services: readonly string[]): void;
  /** Trusted service domains now. */
  services(): string[];
}

/** The trust boundary of `account`. */
export function createMucTrust(account: ResolvedXmppAccount): MucTrust {
  const rooms = new Set(account.groups);
  const configured = account.trustedMucServices;
  const domain = account.jid === undefined ? undefined : tryParseJid(account.jid)?.domain;
  const services = new Set(configured ?? (domain === undefined ? [] : [`conference.${domain}`]));
  return {
    trusts(room) {
      const jid = tryParseJid(room);
      if (jid?.local === undefined) return false;
      return rooms.has(jid.bare) || services.has(jid.domain);
    },
    addDiscovered(found) {
      if (configured !== undefined) return;
      for (const service of found) {
        const jid = tryParseJid(service);
        if (jid !== undefined && jid.local === undefined) services.add(jid.domain);
      }
    },
    services: () => [...services],
  };
}
