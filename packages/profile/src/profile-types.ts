/**
 * Typed shapes of avatars (XEP-0084 § 4.2 metadata `<info/>`, XEP-0153),
 * nicknames (XEP-0172) and moods (XEP-0107), and the events about them.
 */
import type { EventMap } from "@clawxmpp/core";
import type { Mood } from "./mood-values.js";

/** What an avatar is (XEP-0084 § 4.2.1 `<info/>`). */
export interface AvatarInfo {
  /** SHA-1 of the bytes, lowercase hex: the XEP-0084 item id and the XEP-0153 photo hash. */
  id: string;
  /** MIME type, e.g. `image/png`. */
  type: string;
  /** Size in bytes. */
  bytes: number;
  width: number | undefined;
  height: number | undefined;
}

/** A downloaded avatar whose bytes were checked against its id. */
export interface Avatar extends AvatarInfo {
  data: Uint8Array;
  /** Where it came from: XEP-0084 PEP nodes or the XEP-0054 vCard. */
  source: "pep" | "vcard";
}

/** What `publishAvatar` did. */
export interface PublishedAvatar extends AvatarInfo {
  /** False when our PEP metadata already announced this very image (nothing was sent). */
  changed: boolean;
}

/** A mood with its optional text (XEP-0107 § 2). */
export interface UserMood {
  mood: Mood;
  text: string | undefined;
}

/** Events of the `profile` handle. */
export interface ProfileEvents extends EventMap {
  /**
   * A contact's avatar changed: from their PEP metadata (`source: "pep"`, with `info`)
   * or a new XEP-0153 presence hash (`source: "presence"`). `id` undefined: no avatar.
   */
  avatar: [
    {
      jid: string;
      id: string | undefined;
      info: AvatarInfo | undefined;
      source: "pep" | "presence";
    },
  ];
  /** A contact published (or cleared) their nickname. */
  nickname: [{ jid: string; nickname: string | undefined }];
  /** A contact published (or cleared) their mood. */
  mood: [{ jid: string; mood: UserMood | undefined }];
}
