/**
 * On joining a room, fill its history buffer from the room's XEP-0313 archive (when the room
 * advertises `urn:xmpp:mam:2`), so the first mention after a join gets `historyLimit` messages
 * of context even where XEP-0045 join history is off or short. Archived entries already seen
 * (join history, live) are deduplicated by id: the archive id is the room's stanza-id.
 */
import { conversationalText } from "@clawxmpp/markers";
import type { MucHandle } from "@clawxmpp/muc";
import type { RoomHistory, RoomHistoryEntry } from "./room-history.js";

/** Fetches the newest `limit` archived messages of `room` into `history`; how many were added. */
export async function fillRoomHistoryFromArchive(
  rooms: Pick<MucHandle, "history">,
  history: RoomHistory,
  room: string,
  limit: number,
  log: (line: string) => void,
): Promise<number> {
  if (limit <= 0) return 0;
  let fetched: Awaited<ReturnType<MucHandle["history"]>>;
  try {
    fetched = await rooms.history(room, { max: limit });
  } catch (error) {
    log(
      `room archive of ${room} not fetched: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 0;
  }
  if (fetched.unavailable !== undefined) {
    log(`room archive of ${room} not used: ${fetched.unavailable}`);
    return 0;
  }
  const entries: RoomHistoryEntry[] = [];
  for (const archived of fetched.messages) {
    if (archived.message.type !== "groupchat" || archived.nick === undefined) continue;
    const body = conversationalText(archived.message);
    if (body === undefined || body === "") continue;
    entries.push({
      sender: archived.nick,
      body,
      timestamp: (archived.delay?.stamp ?? new Date()).getTime(),
      messageId: archived.archiveId,
    });
  }
  return history.backfill(room, entries);
}
