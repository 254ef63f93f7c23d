/**
 * `@clawxmpp/muc`: XEP-0045 multi-user chat for bots that stay joined, with
 * XEP-0249 direct invitations, XEP-0410 self-ping and XEP-0372 mentions.
 */

export { mentionsNick } from "./mention.js";
export { MucError, type MucErrorCode } from "./muc-error.js";
export {
  autoJoinRoomSchema,
  type HistoryRequest,
  historyRequestSchema,
  type MucOptions,
  type MucOptionsInput,
  mucOptionsSchema,
} from "./muc-options.js";
export { type MucHandle, muc } from "./muc-plugin.js";
export type {
  DestroyedEvent,
  InviteEvent,
  JoinedEvent,
  JoinOptions,
  MucAffiliation,
  MucEvents,
  MucMessageInfo,
  MucRole,
  NickChangedEvent,
  Occupant,
  RemovedEvent,
  RoomInfo,
  SubjectEvent,
} from "./muc-types.js";
export type { RoomListing } from "./room-actions.js";
export type { RoomArchiveMessage, RoomHistory } from "./room-archive.js";
export type { SelfPingVerdict } from "./self-ping.js";
