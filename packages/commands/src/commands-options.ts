/**
 * Options of the `commands` plugin, validated once by zod so a bad value is
 * reported up front naming the field. The plugin works with `{}`: it then
 * runs other entities' commands and serves only what `add()` registers.
 */
import type { Jid } from "@clawxmpp/core";
import { z } from "zod";

const fn = <T>(what: string) =>
  z.custom<T>((value) => typeof value === "function", { message: `expected ${what}` });

/** Limits on data forms read from the network (see `FormLimits`). */
export const formLimitsSchema = z
  .object({
    /** Most fields in one form (reported columns and item cells count). @default 200 */
    maxFields: z.number().int().min(1).max(10_000).default(200),
    /** Most values in one field. @default 256 */
    maxValues: z.number().int().min(1).max(10_000).default(256),
    /** Longest value, label or instruction (characters). @default 10000 */
    maxValueLength: z.number().int().min(1).max(1_000_000).default(10_000),
    /** Most options in one list field. @default 500 */
    maxOptions: z.number().int().min(1).max(10_000).default(500),
    /** Most rows in a result table. @default 500 */
    maxItems: z.number().int().min(0).max(10_000).default(500),
    /** Most instruction lines. @default 50 */
    maxInstructions: z.number().int().min(0).max(1_000).default(50),
    /** Longest XEP-0122 regex kept (characters). @default 256 */
    maxRegexLength: z.number().int().min(1).max(10_000).default(256),
  })
  .strict();

/** Options of {@link commands}. */
export const commandsOptionsSchema = z
  .object({
    /**
     * Who may see and run a served command that has no `allowed` of its own. Without it, every
     * command must bring its own rule (`add()` refuses one that does not): nothing is open by accident.
     */
    allowed: fn<(requester: Jid, node: string) => boolean | Promise<boolean>>(
      "a function (requester, node) => boolean",
    ).optional(),
    /** Most commands served at once. @default 100 */
    maxCommands: z.number().int().min(1).max(10_000).default(100),
    /** Most open sessions in total; a new one beyond it is refused (`resource-constraint`). @default 1000 */
    maxSessions: z.number().int().min(1).max(1_000_000).default(1_000),
    /** Most open sessions of one requester (bare JID). @default 5 */
    maxSessionsPerRequester: z.number().int().min(1).max(10_000).default(5),
    /** Idle time (ms) after which a session expires (`session-expired`). @default 600000 */
    sessionTimeout: z.number().int().min(1).max(86_400_000).default(600_000),
    /** Longest a handler may take for one stage (ms) before the requester gets an error. @default 30000 */
    stageTimeout: z.number().int().min(1).max(3_600_000).default(30_000),
    /** How many expired session ids are remembered to answer `session-expired`. @default 1000 */
    rememberExpired: z.number().int().min(0).max(1_000_000).default(1_000),
    /** Timeout (ms) of requests to other entities' commands. @default 30000 */
    requestTimeout: z.number().int().min(1).max(600_000).default(30_000),
    /** Most commands read from another entity's list. @default 200 */
    maxListItems: z.number().int().min(1).max(10_000).default(200),
    /** Bounds on data forms read from the network. */
    formLimits: formLimitsSchema.prefault({}),
  })
  .strict();

/** What {@link commands} accepts. */
export type CommandsOptionsInput = z.input<typeof commandsOptionsSchema>;
/** Options after defaults were applied. */
export type CommandsOptions = z.output<typeof commandsOptionsSchema>;
