/**
 * The package's one error type. `condition` carries the XEP-0050 §4.6
 * application condition (`bad-sessionid`, `session-expired`, …) when there
 * is one, otherwise the RFC 6120 stanza condition, or `invalid-form` for a
 * local XEP-0004 validation failure (with per-field details).
 */
import { ClawXmppError, type StanzaError } from "@clawxmpp/core";
import { NS_COMMANDS } from "./namespaces.js";

/** XEP-0050 §4.6 application-specific error conditions. */
export const COMMAND_CONDITIONS = [
  "bad-action",
  "bad-locale",
  "bad-payload",
  "bad-sessionid",
  "malformed-action",
  "session-expired",
] as const;

/** An XEP-0050 application condition. */
export type CommandCondition = (typeof COMMAND_CONDITIONS)[number];

/** One problem with one field of a submitted form. */
export interface FieldError {
  /** The field's `var`. */
  field: string;
  /**
   * What kind of problem: missing, wrong type, not an offered option, bad JID, failed an XEP-0122
   * rule, or (when filling in a form locally) a name the form does not have.
   */
  reason: "required" | "type" | "option" | "jid" | "datatype" | "range" | "regex" | "unknown";
  /** Human-readable explanation. */
  message: string;
}

/** Options of {@link CommandsError}. */
export interface CommandsErrorOptions {
  cause?: unknown;
  /** Per-field problems of a form. */
  fields?: readonly FieldError[];
  /** RFC 6120 stanza condition accompanying an application condition. */
  stanzaCondition?: string;
}

/** The error codes `@clawxmpp/commands` raises (the detail is in `condition`). */
export type CommandsErrorCode = "commands";

/** A command or form failed; branch on `condition`. */
export class CommandsError extends ClawXmppError<CommandsErrorCode> {
  /** XEP-0050 application condition, stanza condition, `invalid-form` or `timeout`. */
  readonly condition: CommandCondition | "invalid-form" | (string & {});
  /** The RFC 6120 condition of the error stanza, when the error came from one. */
  readonly stanzaCondition: string | undefined;
  /** Per-field problems, for `invalid-form` and `bad-payload`. */
  readonly fields: readonly FieldError[];

  constructor(condition: string, message: string, options: CommandsErrorOptions = {}) {
    super("commands", `[commands] ${message}`, { cause: options.cause });
    this.name = "CommandsError";
    this.condition = condition;
    this.stanzaCondition = options.stanzaCondition;
    this.fields = options.fields ?? [];
  }

  /** Builds the error from a peer's IQ error, preferring the XEP-0050 application condition. */
  static fromStanzaError(error: StanzaError): CommandsError {
    const payload = error.element?.getChild("error");
    // The condition element (§4.6); failing that, a responder that cannot add one (ours, until the
    // core can) names it at the start of the text.
    const app =
      payload?.getChildElements().find((child) => child.attrs.xmlns === NS_COMMANDS)?.name ??
      /^([a-z-]+):/u.exec(error.text ?? "")?.[1];
    const known = (COMMAND_CONDITIONS as readonly string[]).includes(app ?? "");
    const condition = known && app ? app : error.condition;
    const text = error.text ? `: ${error.text.slice(0, 500)}` : "";
    return new CommandsError(condition, `${condition}${text}`, {
      cause: error,
      stanzaCondition: error.condition,
    });
  }
}
