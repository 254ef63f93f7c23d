/**
 * Options of the `markers` plugin, validated once by zod so a bad value is
 * reported up front naming the field. Every section has safe defaults:
 * the plugin works with `{}`.
 */
import { z } from "zod";

/** XEP-0085 chat state options. */
export const chatStatesOptionsSchema = z
  .object({
    /** Send and track chat states at all. @default true */
    enabled: z.boolean().default(true),
    /**
     * Who standalone chat states (`composing`, `paused`, …) go to: `supporting`
     * sends them only to contacts (and rooms) that sent one first (XEP-0085 §5.1);
     * `always` sends them to everyone. @default "supporting"
     */
    sendTo: z.enum(["supporting", "always"]).default("supporting"),
    /**
     * Add `<active/>` to outgoing chat messages with a body, the XEP-0085 §5.1
     * discovery step that lets a contact start sending chat states. @default true
     */
    announce: z.boolean().default(true),
    /** After `composing`, send `paused` when nothing happened for this long (ms); 0 never. @default 30000 */
    pausedAfter: z.number().int().min(0).max(3_600_000).default(30_000),
    /** After `paused` or `active`, send `inactive` after this long (ms); 0 never. @default 0 */
    inactiveAfter: z.number().int().min(0).max(86_400_000).default(0),
    /**
     * Minimum time (ms) between two standalone chat states to one conversation;
     * a change inside the window is sent when it ends (the latest state wins). @default 1000
     */
    throttle: z.number().int().min(0).max(60_000).default(1_000),
  })
  .strict();

/** XEP-0184 delivery receipt options. */
export const receiptsOptionsSchema = z
  .object({
    /** Add `<request/>` to outgoing `chat` messages with a body (never in group chat). @default true */
    request: z.boolean().default(true),
    /** Answer incoming receipt requests automatically (never in group chat). @default true */
    answer: z.boolean().default(true),
  })
  .strict();

/** XEP-0333 chat marker options. */
export const chatMarkersOptionsSchema = z
  .object({
    /** Add `<markable/>` to outgoing chat and group chat messages with a body. @default true */
    markable: z.boolean().default(true),
  })
  .strict();

/** XEP-0461 reply options. */
export const repliesOptionsSchema = z
  .object({
    /** Put a quoted XEP-0428 fallback of the target's text into replies when it is known. @default true */
    fallback: z.boolean().default(true),
    /** Longest quoted text (in code points) before it is cut with "…". @default 300 */
    quoteMaxLength: z.number().int().min(1).max(10_000).default(300),
  })
  .strict();

/** XEP-0424 retraction options. */
export const retractionsOptionsSchema = z
  .object({
    /** Body shown by clients that do not support retractions. */
    fallbackBody: z
      .string()
      .min(1)
      .max(1_000)
      .default("/me retracted a previous message, but it's unsupported by your client."),
  })
  .strict();

/** Options of {@link markers}. */
export const markersOptionsSchema = z
  .object({
    /** Chat states (XEP-0085). */
    chatStates: chatStatesOptionsSchema.prefault({}),
    /** Delivery receipts (XEP-0184). */
    receipts: receiptsOptionsSchema.prefault({}),
    /** Chat markers (XEP-0333). */
    markers: chatMarkersOptionsSchema.prefault({}),
    /** Replies (XEP-0461). */
    replies: repliesOptionsSchema.prefault({}),
    /** Retractions (XEP-0424). */
    retractions: retractionsOptionsSchema.prefault({}),
    /** Most contacts and rooms whose chat state the plugin remembers (least recently used go first). @default 1000 */
    maxContacts: z.number().int().min(1).max(1_000_000).default(1_000),
  })
  .strict();

/** What {@link markers} accepts. */
export type MarkersOptionsInput = z.input<typeof markersOptionsSchema>;
/** Options after defaults were applied. */
export type MarkersOptions = z.output<typeof markersOptionsSchema>;
