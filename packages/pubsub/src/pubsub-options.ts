/**
 * Options of the `pubsub` plugin, validated once by zod. The bounds keep
 * what a hostile publisher or service can make us hold small.
 */
import { tryParseJid } from "@clawxmpp/core";
import { z } from "zod";

const node = z.string().min(1, "must not be empty").max(1_024, "must be at most 1024 characters");

const serviceJid = z.string().refine(
  (value) => {
    const jid = tryParseJid(value);
    return jid !== undefined && jid.resource === undefined;
  },
  { message: "must be a bare JID or domain like pubsub.example.org" },
);

/** Options of the `pubsub` plugin. */
export const pubsubOptionsSchema = z
  .object({
    /**
     * PEP nodes whose notifications we want (XEP-0163 § 4.3.1): `node+notify`
     * is advertised in our caps for as long as the plugin runs. Plugins add
     * their own with `handle.notify(node)`.
     * @default []
     */
    notify: z.array(node).max(1_000).default([]),
    /**
     * Pubsub services whose event notifications are accepted even before
     * `subscribe()` was called in this process (subscriptions made in an
     * earlier run survive on the server). PEP events need no entry.
     * @default []
     */
    services: z.array(serviceJid).max(1_000).default([]),
    /** Items (and retractions) read from one event notification; the rest are ignored. @default 50 */
    maxEventItems: z.number().int().min(1).max(10_000).default(50),
    /** Largest item payload accepted in an event, in characters of XML. @default 65536 */
    maxEventItemSize: z.number().int().min(64).max(16_777_216).default(65_536),
    /** Items read from one `items()` answer; the rest are ignored. @default 1000 */
    maxResultItems: z.number().int().min(1).max(100_000).default(1_000),
    /** Largest item payload accepted in an `items()` answer, in characters of XML. @default 1048576 */
    maxResultItemSize: z.number().int().min(64).max(67_108_864).default(1_048_576),
    /** Milliseconds to wait for each answer. @default the client's IQ timeout */
    timeout: z.number().int().min(1).optional(),
    /**
     * Messages that only carry a pubsub event (no body) are consumed here and
     * not emitted as the client's `message` events.
     * @default true
     */
    consumeEventMessages: z.boolean().default(true),
  })
  .strict();

/** What callers pass to the `pubsub` plugin. */
export type PubsubOptionsInput = z.input<typeof pubsubOptionsSchema>;
/** Options after defaults are applied. */
export type PubsubOptions = z.output<typeof pubsubOptionsSchema>;
