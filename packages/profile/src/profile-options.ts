/**
 * Options of the `profile` plugin, validated once by zod. Its PEP requests go
 * through `@clawxmpp/pubsub`, which must be in use on the client first.
 */
import { z } from "zod";

/** What the plugin can watch (and emit events for) through PEP notifications. */
export const WATCHABLE = ["avatar", "nickname", "mood"] as const;
/** One of {@link WATCHABLE}. */
export type Watchable = (typeof WATCHABLE)[number];

/** Options of the `profile` plugin. */
export const profileOptionsSchema = z
  .object({
    /**
     * Contacts' profile data we want notifications for (`+notify` in our caps);
     * each becomes `avatar`/`nickname`/`mood` events.
     * @default []
     */
    watch: z.array(z.enum(WATCHABLE)).max(3).default([]),
    /**
     * Largest avatar we publish, in bytes. Base64 adds a third, and servers cap stanzas
     * (Prosody: 256 KiB by default, and an oversized stanza ends the stream), so keep it well below.
     * @default 131072
     */
    maxAvatarBytes: z.number().int().min(64).max(8_388_608).default(131_072),
    /** Largest width or height of an avatar we publish, in pixels. @default 4096 */
    maxAvatarPixels: z.number().int().min(1).max(65_535).default(4_096),
    /**
     * Largest contact avatar we download, in bytes. Raise pubsub's `maxResultItemSize` with it:
     * a data item larger than that (in base64) is skipped by pubsub and treated as absent.
     * @default 524288
     */
    maxFetchBytes: z.number().int().min(64).max(16_777_216).default(524_288),
    /**
     * Also keep XEP-0153 going: the photo in our vCard-temp and its hash in
     * every available presence we send.
     * @default true
     */
    vcard: z.boolean().default(true),
    /** Access model of the nodes we publish (avatar, nickname, mood). @default "open" */
    accessModel: z.enum(["open", "presence", "roster", "whitelist"]).default("open"),
    /** Contacts whose last presence photo hash (XEP-0153) is remembered. @default 10000 */
    maxKnownHashes: z.number().int().min(1).max(1_000_000).default(10_000),
  })
  .strict();

/** What callers pass to the `profile` plugin. */
export type ProfileOptionsInput = z.input<typeof profileOptionsSchema>;
/** Options after defaults are applied. */
export type ProfileOptions = z.output<typeof profileOptionsSchema>;
