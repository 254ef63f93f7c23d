/**
 * The recent messages of each room (XEP-0045 §7.4 live messages and §7.2.14
 * join history), so a mention reaches the agent with the conversation that led
 * to it (OpenClaw's `InboundHistory`). Bounded per room and in rooms; entries
 * are deduplicated by the room's stanza-id (XEP-0359), since a rejoin replays
 * history already seen live. Bodies are untrusted text, cut to a safe length.
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
    list.push({
      sender: entry.sender.slice(0, 256),
      body: entry.body.slice(0, MAX_HISTORY_BODY),
      timestamp: entry.timestamp,
      ...(entry.messageId === undefined ? {} : { messageId: entry.messageId }),
      seq,
    });
    if (list.length > this.#perRoom) list.splice(0, list.length - this.#perRoom);
    return seq;
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
