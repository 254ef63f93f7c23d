/**
 * A room's recent history from its archive (XEP-0313 §4 on a MUC, §7 "MUC archives"; XEP-0045
 * §7.2.15 join history is limited and often off). The room must advertise `urn:xmpp:mam:2` in
 * its disco#info (XEP-0313 §7); otherwise nothing is fetched and the reason says why. Queries go
 * through core's `ctx.archive`, which takes results only from the room itself for our own query.
 */
import {
  ARCHIVE_QUERY_MAX,
  type ArchivedMessage,
  type ArchiveQuerier,
  type IqCaller,
  parseJid,
  xml,
} from "@clawxmpp/core";
import { NS_DISCO_INFO } from "./namespaces.js";

const NS_MAM = "urn:xmpp:mam:2";

/** One archived room message. */
export interface RoomArchiveMessage extends ArchivedMessage {
  /** The sender's nickname in the room (the archived `from`'s resource). */
  nick: string | undefined;
}

/** What `history()` found. */
export interface RoomHistory {
  /** The newest messages, oldest first (empty when the room has no archive). */
  messages: RoomArchiveMessage[];
  /** Why nothing was fetched, e.g. "the room does not advertise urn:xmpp:mam:2". */
  unavailable: string | undefined;
  /** True when the archive holds nothing older than these messages. */
  complete: boolean;
}

/** True when the room's disco#info lists XEP-0313 (a room archive we may query). */
export async function roomHasArchive(iq: IqCaller, room: string): Promise<boolean> {
  const info = await iq.get(xml("query", { xmlns: NS_DISCO_INFO }), room);
  const features = info.getChild("query", NS_DISCO_INFO)?.getChildren("feature") ?? [];
  return features.some((feature) => feature.attrs.var === NS_MAM);
}

/** The newest `max` messages of `room`'s archive (XEP-0059 §2.5: the last page, `<before/>`). */
export async function roomHistory(
  iq: IqCaller,
  archive: ArchiveQuerier,
  jid: string,
  max: number,
): Promise<RoomHistory> {
  const room = parseJid(jid).bare;
  const wanted = Math.min(Math.max(1, Math.floor(max)), ARCHIVE_QUERY_MAX);
  let hasArchive: boolean;
  try {
    hasArchive = await roomHasArchive(iq, room);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      messages: [],
      unavailable: `disco#info of the room failed: ${reason}`,
      complete: false,
    };
  }
  if (!hasArchive)
    return {
      messages: [],
      unavailable: `the room does not advertise ${NS_MAM}`,
      complete: false,
    };
  const page = await archive.query(room, { max: wanted, before: "" });
  return {
    messages: page.messages.map((entry) => ({ ...entry, nick: entry.message.from.resource })),
    unavailable: undefined,
    complete: page.complete,
  };
}
