/**
 * The recent messages of each room (XEP-0045 §7.4 live messages and §7.2.14
 * join history), so a mention reaches the agent with the conversation that led
 * to it (OpenClaw's `InboundHistory`). Bounded per room and in rooms; entries
 * are deduplicated by the room's stanza-id (XEP-0359), since a rejoin replays
 * history already seen live. The room's XEP-0313 archive backfills older
 * messages on join (see room-archive-fill.ts). Bodies are untrusted text, cut to a safe length.
 */

/** Entries kept per room. */
export const MAX_HISTORY_PER_ROOM = 200;
/** Rooms kept; the least recently active is forgotten first. */
export const MAX_HISTORY_ROOMS = 500;
/** Longest body kept, in characters. */
export const MAX_HISTORY_BODY = 2_000;

/** One remembered message, in OpenClaw's `HistoryEntry` shape. */
export interface RoomHistoryEntry {
  /** The sender's nickname. */
  sender: string;
  body: string;
  timestamp: number;
  /** The room's stanza-id, when it assigned one. */
  messageId?: string;
}

interface Stored extends RoomHistoryEntry {
  seq: number;
}

/** Per-room recent messages. */
export class RoomHistory {
  readonly #rooms = new Map<string, Stored[]>();
  readonly #perRoom: number;
  readonly #maxRooms: number;
  #seq = 0;

  constructor(options: { perRoom?: number; maxRooms?: number } = {}) {
    this.#perRoom = options.perRoom ?? MAX_HISTORY_PER_ROOM;
    this.#maxRooms = options.maxRooms ?? MAX_HISTORY_ROOMS;
  }

  /**
   * Remembers a message of `room`; returns its position (for {@link before}),
   * or the position of the same message already remembered.
   */
  record(room: string, entry: RoomHistoryEntry): number {
    let list = this.#rooms.get(room);
    if (list === undefined) {
      if (this.#rooms.size >= this.#maxRooms) {
        const oldest = this.#rooms.keys().next().value;
        if (oldest !== undefined) this.#rooms.delete(oldest);
      }
      list = [];
    } else {
      // Re-inserted: the map's order is the rooms' recency.
      this.#rooms.delete(room);
      const id = entry.messageId;
      const same = list.find((stored) =>
        id === undefined
          ? stored.messageId === undefined &&
            stored.sender === entry.sender &&
            stored.body === entry.body.slice(0, MAX_HISTORY_BODY)
          : stored.messageId === id,
      );
      if (same !== undefined) {
        this.#rooms.set(room, list);
        return same.seq;
      }
    }
    this.#rooms.set(room, list);
    const seq = ++this.#seq;
    list.push(this.#stored(entry, seq));
    if (list.length > this.#perRoom) list.splice(0, list.length - this.#perRoom);
    return seq;
  }

  /**
   * Adds older messages of `room` fetched later (its XEP-0313 archive, oldest first) without
   * disturbing positions already handed out: an entry already known by its id (join history or
   * live copy: the archive id is the room's stanza-id) is skipped; the others are placed before
   * the first known entry the archive lists after them (or, unknown to the archive, that is
   * newer), with positions between their neighbours'. Returns how many were added.
   */
  backfill(room: string, entries: readonly RoomHistoryEntry[]): number {
    const list = this.#rooms.get(room) ?? [];
    const archiveIndex = new Map<string, number>();
    entries.forEach((entry, index) => {
      if (entry.messageId !== undefined) archiveIndex.set(entry.messageId, index);
    });
    const known = new Set(list.map((stored) => stored.messageId));
    // Fresh entries grouped by the index of the stored entry they go before.
    const groups = new Map<number, RoomHistoryEntry[]>();
    entries.forEach((entry, index) => {
      if (entry.messageId === undefined || known.has(entry.messageId)) return;
      known.add(entry.messageId);
      let at = list.findIndex((stored) => {
        const listed =
          stored.messageId === undefined ? undefined : archiveIndex.get(stored.messageId);
        return listed !== undefined ? listed > index : stored.timestamp > entry.timestamp;
      });
      if (at === -1) at = list.length;
      groups.set(at, [...(groups.get(at) ?? []), entry]);
    });
    if (groups.size === 0) return 0;
    const added: Stored[] = [];
    for (const [at, group] of [...groups].sort(([a], [b]) => a - b)) {
      const next = list[at];
      if (next === undefined) {
        for (const entry of group) added.push(this.#stored(entry, ++this.#seq));
        continue;
      }
      const low = list[at - 1]?.seq ?? next.seq - 1;
      group.forEach((entry, j) => {
        added.push(this.#stored(entry, low + ((next.seq - low) * (j + 1)) / (group.length + 1)));
      });
    }
    const merged = [...list, ...added].sort((a, b) => a.seq - b.seq);
    if (merged.length > this.#perRoom) merged.splice(0, merged.length - this.#perRoom);
    if (!this.#rooms.has(room) && this.#rooms.size >= this.#maxRooms) {
      const oldest = this.#rooms.keys().next().value;
      if (oldest !== undefined) this.#rooms.delete(oldest);
    }
    this.#rooms.set(room, merged);
    return added.length;
  }

  #stored(entry: RoomHistoryEntry, seq: number): Stored {
    return {
      sender: entry.sender.slice(0, 256),
      body: entry.body.slice(0, MAX_HISTORY_BODY),
      timestamp: entry.timestamp,
      ...(entry.messageId === undefined ? {} : { messageId: entry.messageId }),
      seq,
    };
  }

  /** Up to `limit` messages of `room` that came before position `seq`, oldest first. */
  before(room: string, seq: number, limit: number): RoomHistoryEntry[] {
    if (limit <= 0) return [];
    const list = this.#rooms.get(room) ?? [];
    return list
      .filter((stored) => stored.seq < seq)
      .slice(-limit)
      .map(({ seq: _seq, ...entry }) => entry);
  }

  /** Forgets `room` (left, destroyed). */
  forget(room: string): void {
    this.#rooms.delete(room);
  }
}
