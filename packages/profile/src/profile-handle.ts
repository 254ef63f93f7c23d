/**
 * The public surface of the `profile` plugin: the bot's avatar (XEP-0084 and
 * XEP-0153), contacts' avatars, nickname (XEP-0172) and mood (XEP-0107).
 */
import type { Disposer, Events, PluginHandle } from "@clawxmpp/core";
import type { Mood } from "./mood-values.js";
import type { Watchable } from "./profile-options.js";
import type { Avatar, ProfileEvents, PublishedAvatar, UserMood } from "./profile-types.js";

/** The handle returned by `client.use(profile, { pubsub, … })`. */
export interface ProfileHandle extends PluginHandle, Events<ProfileEvents> {
  /**
   * Publishes our avatar from PNG/JPEG bytes or a file path: vCard-temp photo (when `vcard` is on),
   * then the XEP-0084 data and metadata nodes, and the hash in our presence. Nothing is sent when
   * our metadata already announces this image, unless `force`. Rejects with a `ProfileError`
   * (`unsupported-format`, `bad-image`, `too-large`, `io`) or a `PubsubError`.
   *
   * `force`: publish even when our metadata already announces this image. `published`: the id
   * (SHA-1) of the avatar the caller knows is published, e.g. remembered from an earlier run; when
   * the image has that id, nothing is asked or sent but the hash in our presence.
   */
  publishAvatar(
    image: Uint8Array | string,
    options?: { force?: boolean; published?: string | undefined },
  ): Promise<PublishedAvatar>;
  /**
   * Removes our avatar: the vCard photo (when `vcard` is on), empty XEP-0084 metadata
   * ("no avatar", § 4.5), and an empty photo hash in our presence.
   */
  removeAvatar(): Promise<void>;
  /**
   * Fetches a contact's avatar: XEP-0084 first, the vCard photo as fallback; bounded by
   * `maxFetchBytes` and checked against the announced hash. `undefined` when they have none we may see.
   */
  fetchAvatar(jid: string): Promise<Avatar | undefined>;
  /** Publishes our nickname (XEP-0172); `undefined` clears it. */
  publishNickname(nickname: string | undefined): Promise<void>;
  /** A contact's nickname (ours when `jid` is omitted), if published and visible. */
  fetchNickname(jid?: string): Promise<string | undefined>;
  /** Publishes our mood (XEP-0107); `undefined` clears it. */
  publishMood(mood: Mood | undefined, text?: string): Promise<void>;
  /** A contact's mood (ours when `jid` is omitted), if published and visible. */
  fetchMood(jid?: string): Promise<UserMood | undefined>;
  /** Asks for contacts' `avatar`/`nickname`/`mood` notifications until the disposer runs. */
  watch(what: Watchable): Disposer;
}
