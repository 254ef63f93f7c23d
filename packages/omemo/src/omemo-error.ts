/**
 * Failures of `@clawxmpp/omemo` as one error type. `condition` says what went
 * wrong so callers branch on it: hostile input from the network (`malformed`,
 * `too-large`), cryptographic refusals (`bad-tag`, `bad-signature`, `no-session`,
 * `duplicate`), local state (`store`) and misuse (`invalid`).
 */
import { ClawXmppError } from "@clawxmpp/core";

/** Why an OMEMO operation failed. */
export type OmemoCondition =
  | "malformed"
  | "too-large"
  | "bad-tag"
  | "bad-signature"
  | "no-session"
  | "bad-mac"
  | "no-key"
  | "duplicate"
  | "untrusted"
  | "store"
  | "invalid";

/** An OMEMO operation failed, or something received was unusable. */
export class OmemoError extends ClawXmppError<"omemo"> {
  readonly condition: OmemoCondition;

  constructor(condition: OmemoCondition, message: string, options: { cause?: unknown } = {}) {
    super("omemo", `[omemo] ${message}`, options);
    this.name = "OmemoError";
    this.condition = condition;
  }
}
