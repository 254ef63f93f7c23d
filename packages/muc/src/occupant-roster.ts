/**
 * The occupants of one room (XEP-0045 §7.2.3 presence broadcast), keyed by
 * nickname and bounded: a room with more occupants than the cap keeps the
 * first ones and ignores the rest, so a hostile room cannot grow our memory.
 */
import { tryParseJid } from "@clawxmpp/core";
import type { MucUserPresence } from "./muc-presence.js";
import type { Occupant } from "./muc-types.js";

/** Occupants of one room, at most `max`. */
export class OccupantRoster {
  readonly #room: string;
  readonly #max: number;
  readonly #byNick = new Map<string, Occupant>();
  /** Occupants not tracked because the cap was reached. */
  overflow = 0;

  constructor(room: string, max: number) {
    this.#room = room;
    this.#max = max;
  }

  get size(): number {
    return this.#byNick.size;
  }

  get(nick: string): Occupant | undefined {
    return this.#byNick.get(nick);
  }

  list(): Occupant[] {
    return [...this.#byNick.values()].map((o) => ({ ...o }));
  }

  /**
   * Records an available presence; returns the occupant and whether it is new,
   * or undefined when the cap is reached (`force` bypasses it for ourselves).
   */
  upsert(
    nick: string,
    info: MucUserPresence,
    force = false,
  ): { occupant: Occupant; added: boolean } | undefined {
    const existing = this.#byNick.get(nick);
    const jid = info.jid === undefined ? existing?.jid : tryParseJid(info.jid)?.bare;
    if (existing) {
      existing.jid = jid;
      existing.role = info.role ?? existing.role;
      existing.affiliation = info.affiliation ?? existing.affiliation;
      return { occupant: existing, added: false };
    }
    if (this.#byNick.size >= this.#max && !force) {
      this.overflow++;
      return undefined;
    }
    const occupant: Occupant = {
      room: this.#room,
      nick,
      jid,
      role: info.role,
      affiliation: info.affiliation,
    };
    this.#byNick.set(nick, occupant);
    return { occupant, added: true };
  }

  /** Forgets `nick`; returns what was known. */
  remove(nick: string): Occupant | undefined {
    const occupant = this.#byNick.get(nick);
    this.#byNick.delete(nick);
    return occupant;
  }

  /** Moves an occupant to a new nickname (status 303). */
  rename(oldNick: string, newNick: string): Occupant | undefined {
    const occupant = this.#byNick.get(oldNick);
    if (!occupant) return undefined;
    this.#byNick.delete(oldNick);
    occupant.nick = newNick;
    this.#byNick.set(newNick, occupant);
    return occupant;
  }

  clear(): void {
    this.#byNick.clear();
    this.overflow = 0;
  }
}
