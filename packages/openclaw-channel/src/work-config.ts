/**
 * Config keys for how a reply reaches the user while the agent works:
 * `streaming` (OpenClaw's channel streaming settings, plus the XEP-0308 live
 * preview), `ackReaction` (XEP-0444), `sendReadReceipts` (XEP-0333/0184) and
 * `presence` (RFC 6121 §4.7 `<show/>`/`<status/>` while busy), and their
 * resolution with defaults. Kept apart from `config-schema.ts` so the
 * streaming/status feature stays in its own files.
 */
import { z } from "zod";

/** `streaming`: how replies stream (OpenClaw's `channels.<id>.streaming`). */
export const streamingConfigSchema = z
  .object({
    /**
     * `off`: one message when the agent is done. `block`: finished blocks as
     * separate messages while it writes. `live` (OpenClaw's `partial` is the same):
     * the first text at once, then corrected in place (XEP-0308) as it grows;
     * recipients whose client does not advertise corrections get blocks instead.
     * @default "off"
     */
    mode: z
      .enum(["off", "block", "live", "partial"])
      .optional()
      .describe('Reply streaming: "off" (default), "block", "live" (XEP-0308 edits)'),
    /**
     * Live mode: least time between two corrections of the preview (ms); a
     * paragraph end is sent at once when the last correction is older than half of it.
     * @default 1500
     */
    throttleMs: z
      .number()
      .int()
      .min(250)
      .max(10_000)
      .optional()
      .describe("Live mode: ms between corrections (default 1500)"),
    /** OpenClaw's block-reply settings, read by the gateway itself. */
    block: z
      .object({
        /** Force block replies on or off for this channel (OpenClaw reads it). */
        enabled: z.boolean().optional().describe("Force block replies on or off"),
        /** Merging of streamed blocks before they are sent (OpenClaw reads it). */
        coalesce: z
          .object({
            /** Smallest block sent, unless it is the last. */
            minChars: z.number().int().min(1).max(100_000).optional().describe("Smallest block"),
            /** Largest block. */
            maxChars: z.number().int().min(1).max(100_000).optional().describe("Largest block"),
            /** Idle time before a block is flushed (ms). */
            idleMs: z.number().int().min(0).max(60_000).optional().describe("Idle flush (ms)"),
          })
          .strict()
          .optional()
          .describe("Block coalescing"),
      })
      .strict()
      .optional()
      .describe("Block replies (OpenClaw)"),
    /** How OpenClaw chunks long text: by length or at paragraph ends. */
    chunkMode: z.enum(["length", "newline"]).optional().describe("Chunking: length or newline"),
  })
  .strict();

/** `presence`: what the bot's presence shows while the agent works. */
export const presenceConfigSchema = z
  .object({
    /**
     * Show `dnd` while a turn runs and `available` again when all are done.
     * @default true
     */
    busy: z.boolean().optional().describe("Show dnd while the agent works (default true)"),
    /**
     * Status text shown while busy.
     * @default "Working…"
     */
    busyStatus: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .describe('Status text while busy (default "Working…")'),
    /** Status text while idle (none by default). */
    idleStatus: z.string().min(1).max(1024).optional().describe("Status text while idle"),
  })
  .strict();

/** The keys added to each account (spread into `accountConfigShape`). */
export const workConfigShape = {
  /** Reply streaming (`off`, `block`, `live`). */
  streaming: streamingConfigSchema.optional().describe("Reply streaming: { mode, throttleMs }"),
  /**
   * Emoji reacted (XEP-0444) to a message when the agent starts on it, removed
   * when the reply is sent; `false` or unset: none.
   */
  ackReaction: z
    .union([z.literal(false), z.string().min(1).max(64)])
    .optional()
    .describe("Ack reaction emoji (XEP-0444), or false"),
  /**
   * Mark a message displayed (XEP-0333) when the agent starts on it.
   * @default false
   */
  sendReadReceipts: z
    .boolean()
    .optional()
    .describe("Send read markers (XEP-0333 displayed) when the agent reads a message"),
  /** The bot's presence while the agent works. */
  presence: presenceConfigSchema.optional().describe("Presence while busy: { busy, busyStatus }"),
} as const;

/** Live mode's default correction interval. */
export const DEFAULT_THROTTLE_MS = 1_500;
/** Status text while busy by default. */
export const DEFAULT_BUSY_STATUS = "Working…";

/** The resolved settings of one account. */
export interface WorkSettings {
  streaming: "off" | "block" | "live";
  throttleMs: number;
  ackReaction: string | undefined;
  sendReadReceipts: boolean;
  presence: { busy: boolean; busyStatus: string; idleStatus: string | undefined };
}

/** The raw keys as one account has them after channel-level inheritance. */
export interface WorkConfig {
  streaming?: z.output<typeof streamingConfigSchema> | undefined;
  ackReaction?: string | false | undefined;
  sendReadReceipts?: boolean | undefined;
  presence?: z.output<typeof presenceConfigSchema> | undefined;
}

/** Applies defaults to an account's raw keys. */
export function resolveWorkSettings(raw: WorkConfig): WorkSettings {
  const mode = raw.streaming?.mode ?? "off";
  return {
    streaming: mode === "partial" ? "live" : mode,
    throttleMs: raw.streaming?.throttleMs ?? DEFAULT_THROTTLE_MS,
    ackReaction: typeof raw.ackReaction === "string" ? raw.ackReaction : undefined,
    sendReadReceipts: raw.sendReadReceipts ?? false,
    presence: {
      busy: raw.presence?.busy ?? true,
      busyStatus: raw.presence?.busyStatus ?? DEFAULT_BUSY_STATUS,
      idleStatus: raw.presence?.idleStatus,
    },
  };
}

/** Merges channel-level and account-level keys (objects key by key). */
export function mergeWorkConfig(base: WorkConfig, own: WorkConfig): Partial<WorkConfig> {
  const out: Partial<WorkConfig> = {};
  if (base.streaming !== undefined || own.streaming !== undefined) {
    out.streaming = { ...base.streaming, ...own.streaming };
  }
  if (base.presence !== undefined || own.presence !== undefined) {
    out.presence = { ...base.presence, ...own.presence };
  }
  return out;
}
