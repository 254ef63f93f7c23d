/**
 * A room's members by affiliation (XEP-0045 § 9.5 member list, § 10.3 admin
 * list, § 10.5 owner list): OMEMO encrypts room messages for these real JIDs
 * as well as for the occupants present, so members who are offline now can
 * read the message later (from the room's archive), as Conversations does.
 * The lists are readable by the room's admins and owners (and, in some
 * members-only rooms, by members); a refusal leaves the occupants alone.
 * Answers are cached per room for a minute, bounded in rooms and JIDs.
 */
import { type Element, type IqCaller, tryParseJid, xml } from "@clawxmpp/core";

const NS_MUC_ADMIN = "http://jabber.org/protocol/muc#admin";
const AFFILIATIONS = ["member", "admin", "owner"] as const;
const TTL_MS = 60_000;
const MAX_ROOMS = 256;
const MAX_MEMBERS = 1_000;

/** Reads and caches the member, admin and owner lists of rooms. */
export class RoomMembers {
  readonly #iq: IqCaller;
  readonly #now: () => number;
  readonly #cache = new Map<string, { at: number; jids: Promise<string[]> }>();

  constructor(iq: IqCaller, now: () => number) {
    this.#iq = iq;
    this.#now = now;
  }

  /** The bare JIDs affiliated with `room` (member, admin, owner); empty when the lists are refused. */
  of(room: string): Promise<string[]> {
    const cached = this.#cache.get(room);
    if (cached && this.#now() - cached.at < TTL_MS) return cached.jids;
    if (this.#cache.size >= MAX_ROOMS) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    const jids = this.#fetch(room);
    this.#cache.delete(room);
    this.#cache.set(room, { at: this.#now(), jids });
    return jids;
  }

  async #fetch(room: string): Promise<string[]> {
    const lists = await Promise.allSettled(
      AFFILIATIONS.map((affiliation) =>
        this.#iq.get(xml("query", { xmlns: NS_MUC_ADMIN }, xml("item", { affiliation })), room),
      ),
    );
    const jids = new Set<string>();
    for (const list of lists) {
      if (list.status !== "fulfilled") continue;
      for (const jid of affiliatedJids(list.value)) {
        if (jids.size >= MAX_MEMBERS) break;
        jids.add(jid);
      }
    }
    return [...jids];
  }
}

/** The bare JIDs of an affiliation list answer; anything unparsable is skipped. */
export function affiliatedJids(result: Element): string[] {
  const items = result.getChild("query", NS_MUC_ADMIN)?.getChildren("item", NS_MUC_ADMIN) ?? [];
  const out: string[] = [];
  for (const item of items) {
    const jid = tryParseJid(item.attrs.jid);
    if (jid?.local) out.push(jid.bare);
  }
  return out;
}
