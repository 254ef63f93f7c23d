/**
 * Failures of room operations (XEP-0045 §7.2 join errors, timeouts) as one
 * error type with code `muc`, carrying the server's condition and text.
 */
import { ClawXmppError } from "@clawxmpp/core";

/** The error codes `@clawxmpp/muc` raises. */
export type MucErrorCode = "muc";

/** A room operation failed; `condition` is the server's error condition or `timeout`. */
export class MucError extends ClawXmppError<MucErrorCode> {
  /** The room's bare JID. */
  readonly room: string;
  /** RFC 6120 condition (`conflict`, `not-authorized`, `forbidden`…), or `timeout`. */
  readonly condition: string;
  /** The server's human-readable text, when given. */
  readonly text: string | undefined;

  constructor(room: string, condition: string, text?: string, options: { cause?: unknown } = {}) {
    super("muc", `[muc] ${room}: ${condition}${text ? ` (${text})` : ""}`, options);
    this.name = "MucError";
    this.room = room;
    this.condition = condition;
    this.text = text;
  }
}
