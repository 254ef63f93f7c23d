/**
 * The one error type of `@clawxmpp/policy`: `policy` for refused pairing
 * operations, `storage` for the approval store (unreadable, corrupt, not
 * writable). Messages are written for the operator who reads them in a
 * terminal, so they carry no package prefix.
 */
import { ClawXmppError, type ClawXmppErrorOptions } from "@clawxmpp/core";

/** The error codes `@clawxmpp/policy` raises. */
export type PolicyErrorCode = "policy" | "storage";

/** A pairing operation or the approval store failed. */
export class PolicyError extends ClawXmppError<PolicyErrorCode> {
  constructor(code: PolicyErrorCode, message: string, options: ClawXmppErrorOptions = {}) {
    super(code, message, options);
    this.name = "PolicyError";
  }
}
