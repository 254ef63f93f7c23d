/**
 * Options of the `muc` plugin (XEP-0045), validated once by zod so a bad
 * room JID or nickname is reported up front, naming the field.
 */
import { tryParseJid } from "@clawxmpp/core";
import { z } from "zod";

const roomJid = z.string().refine(
  (value) => {
    const jid = tryParseJid(value);
    return jid !== undefined && jid.local !== undefined && jid.resource === undefined;
  },
  { message: "must be a bare room JID like room@conference.example.org" },
);

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we reject
const CONTROL = /[\u0000-\u001f\u007f]/u;

const nickname = z
  .string()
  .min(1, "must not be empty")
  .max(256, "must be at most 256 characters")
  .refine((value) => value.trim() === value && !CONTROL.test(value), {
    message: "must not start or end with spaces nor contain control characters",
  });

/** XEP-0045 §7.2.14 history request sent with the join presence. */
export const historyRequestSchema = z
  .object({
    /** Ask for at most this many history messages. @default 0 (no history) */
    maxStanzas: z.number().int().min(0).max(10_000).optional(),
    /** Ask only for messages from the last `seconds` seconds. */
    seconds: z.number().int().min(0).optional(),
    /** Ask only for messages sent after this date. */
    since: z.date().optional(),
  })
  .strict();

/** One room to join automatically. */
export const autoJoinRoomSchema = z
  .object({
    /** The room's bare JID. */
    jid: roomJid,
    /** Nickname in this room. @default the plugin's `nickname` */
    nickname: nickname.optional(),
    /** Room password (XEP-0045 §7.2.6). */
    password: z.string().optional(),
    /** History to request on each join. @default { maxStanzas: 0 } */
    history: historyRequestSchema.optional(),
  })
  .strict();

/** Options of the `muc` plugin. */
export const mucOptionsSchema = z
  .object({
    /** Default nickname used in every room. */
    nickname,
    /**
     * Rooms joined when the client comes online and rejoined after every
     * non-resumed reconnect: bare JIDs or `{ jid, nickname?, password?, history? }`.
     * @default []
     */
    rooms: z
      .array(z.union([roomJid, autoJoinRoomSchema]))
      .max(1_000)
      .default([]),
    /** Milliseconds to wait for the room's self-presence before a join fails. @default 30000 */
    joinTimeout: z.number().int().min(1).default(30_000),
    /**
     * XEP-0410 self-ping period in milliseconds for every joined room; a reply
     * saying we are no longer an occupant triggers a rejoin. 0 disables it.
     * @default 300000
     */
    selfPingInterval: z.number().int().min(0).default(300_000),
    /** Milliseconds to wait for a self-ping answer. @default 30000 */
    selfPingTimeout: z.number().int().min(1).default(30_000),
    /** Occupants remembered per room; presences beyond it are not tracked. @default 1000 */
    maxOccupants: z.number().int().min(1).max(1_000_000).default(1_000),
    /** Nickname conflicts (409) retried with a suffix (`nick_2`, `nick_3`…) before a join fails. @default 3 */
    nickConflictRetries: z.number().int().min(0).max(20).default(3),
    /**
     * After our self-presence, messages are history until the room subject
     * arrives (XEP-0045 §7.2.15) or this many milliseconds pass.
     * @default 5000
     */
    historyGrace: z.number().int().min(0).default(5_000),
    /** Own messages remembered (by origin-id) to recognise their reflection. @default 500 */
    maxSentIds: z.number().int().min(1).max(100_000).default(500),
  })
  .strict();

/** What callers pass to the `muc` plugin. */
export type MucOptionsInput = z.input<typeof mucOptionsSchema>;
/** Options after defaults are applied. */
export type MucOptions = z.output<typeof mucOptionsSchema>;
/** A history request (XEP-0045 §7.2.14). */
export type HistoryRequest = z.output<typeof historyRequestSchema>;
