/**
 * Which id OpenClaw knows a message by, and which id XMPP references it by.
 *
 * OpenClaw drops a message whose id it has seen, and senders' ids are not
 * unique (a per-session counter, an id reused after a reconnect). So OpenClaw
 * gets the id the server assigned (XEP-0359 §3 stanza-id, `by` = our account
 * for direct chats, `by` = the room in a room: the server strips forged ones).
 * A server that assigns none gets a fresh local id per message: a reused
 * sender id is still answered, and duplicates are left to core's guard
 * (stanza-id / origin-id dedupe). Reactions, replies and markers keep
 * referencing the message the XMPP way (`targetIdFor`: origin-id or id in a
 * direct chat, the room's stanza-id in a room), remembered per conversation
 * in a bounded map so an action naming OpenClaw's id reaches the right message.
 */
import { randomUUID } from "node:crypto";

/** Conversations × messages remembered for id translation; the oldest go first. */
export const MAX_REMEMBERED_IDS = 5_000;
/** Longest id accepted from the network. */
const MAX_ID_LENGTH = 256;

/** The two ids of one inbound message. */
export interface MessageIds {
  /** What OpenClaw knows the message by (unique per message). */
  openclaw: string;
  /** What reactions, replies and markers reference it by; undefined when it has none. */
  reference: string | undefined;
}

/**
 * The ids of one message: OpenClaw's is `assigned` (the stanza-id given by our
 * server for direct chats, by the room for room messages), else a fresh
 * `xmpp-local-…` id; `reference` is how XMPP references it (`markers.targetIdFor`).
 */
export function messageIdsFor(
  assigned: string | undefined,
  reference: string | undefined,
): MessageIds {
  const usable = assigned !== undefined && assigned !== "" && assigned.length <= MAX_ID_LENGTH;
  return { openclaw: usable ? assigned : `xmpp-local-${randomUUID()}`, reference };
}

/** Translation between OpenClaw's ids and XMPP reference ids, per conversation, bounded. */
export class MessageIdMap {
  readonly #toReference = new Map<string, string>();
  readonly #toOpenclaw = new Map<string, string>();
  readonly #max: number;

  constructor(max = MAX_REMEMBERED_IDS) {
    this.#max = max;
  }

  /** Remembers that `ids.openclaw` is referenced as `ids.reference` in `conversation`. */
  remember(conversation: string, ids: MessageIds): void {
    if (ids.reference === undefined) return;
    set(this.#toReference, key(conversation, ids.openclaw), ids.reference, this.#max);
    set(this.#toOpenclaw, key(conversation, ids.reference), ids.openclaw, this.#max);
  }

  /** The XMPP reference id of OpenClaw's message `id` in `conversation`, if known. */
  referenceOf(conversation: string, id: string): string | undefined {
    return this.#toReference.get(key(conversation, id));
  }

  /** OpenClaw's id of the message referenced as `reference` in `conversation`, if known. */
  openclawIdOf(conversation: string, reference: string): string | undefined {
    return this.#toOpenclaw.get(key(conversation, reference));
  }
}

function key(conversation: string, id: string): string {
  return `${conversation}\n${id}`;
}

function set(map: Map<string, string>, k: string, value: string, max: number): void {
  map.delete(k);
  map.set(k, value);
  if (map.size > max) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}
