/**
 * `@clawxmpp/profile`: the bot's avatar (XEP-0084, XEP-0153), contacts'
 * avatars, nickname (XEP-0172) and mood (XEP-0107), over `@clawxmpp/pubsub`.
 */

export { type ImageHeader, readImageHeader } from "./image-header.js";
export { isMood, MOODS, type Mood } from "./mood-values.js";
export {
  NS_AVATAR_DATA,
  NS_AVATAR_METADATA,
  NS_MOOD,
  NS_NICK,
  NS_VCARD,
  NS_VCARD_UPDATE,
} from "./namespaces.js";
export { ProfileError, type ProfileErrorCode, type ProfileErrorReason } from "./profile-error.js";
export type { ProfileHandle } from "./profile-handle.js";
export {
  type ProfileOptions,
  type ProfileOptionsInput,
  profileOptionsSchema,
  WATCHABLE,
  type Watchable,
} from "./profile-options.js";
export { profile } from "./profile-plugin.js";
export type {
  Avatar,
  AvatarInfo,
  ProfileEvents,
  PublishedAvatar,
  UserMood,
} from "./profile-types.js";
