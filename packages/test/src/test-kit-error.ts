/** The one error class of `@clawxmpp/test`: a wait that ran out of time, a misused helper. */
import { ClawXmppError, type ClawXmppErrorCode } from "@clawxmpp/core";

/** Raised by the kit's helpers; messages start with `[test]`. */
export class TestKitError extends ClawXmppError {
  constructor(code: ClawXmppErrorCode, message: string) {
    super(code, `[test] ${message}`);
    this.name = "TestKitError";
  }
}
