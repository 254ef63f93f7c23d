/**
 * The room's stanza-id of the agent's own room messages (XEP-0359 §3, `by` = the room), learnt
 * from their reflection (XEP-0045 §7.4; `@clawxmpp/muc` marks our own by the origin-id we sent).
 * XEP-0424 §4 (and XEP-0444 reactions) name a groupchat message by that id, while the agent knows
 * its message by the id it was sent with; the bounded {@link MessageIdMap} maps one to the other
 * (a room that assigns no stanza-id leaves nothing, and the sent id is used).
 */
import type { Client } from "@clawxmpp/core";
import type { MessageIdMap } from "./message-ids.js";

/** Remembers sent id → room stanza-id for each reflection of our own room messages. */
export function trackOwnRoomStanzaIds(client: Pick<Client, "on">, ids: MessageIdMap): void {
  client.on("message", (message) => {
    const info = message.muc;
    if (message.type !== "groupchat" || info === undefined || !info.isOwn) return;
    if (info.roomStanzaId === undefined || info.isPrivate) return;
    // Core sets the origin-id equal to the id; either names the message we sent.
    const sent = message.originId ?? message.id;
    if (sent === undefined) return;
    ids.remember(info.room, { openclaw: sent, reference: info.roomStanzaId });
  });
}
