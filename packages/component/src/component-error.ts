/**
 * The component's one error class. Codes: `handshake` (XEP-0114 §3: the server refused our
 * secret or domain; terminal, never retried), `stream` (a stream error after the handshake),
 * `malformed` (a delegation or privilege stanza we cannot read), `not-privileged` (XEP-0356:
 * the server did not grant what was asked), `protocol` (anything else the server got wrong).
 */
import { ClawXmppError, type ClawXmppErrorOptions } from "@clawxmpp/core";

/** What went wrong, for callers to branch on. */
export type ComponentErrorCode =
  | "handshake"
  | "stream"
  | "malformed"
  | "not-privileged"
  | "protocol";

/** A failure of `@clawxmpp/component`; messages start with `[component]`. */
export class ComponentError extends ClawXmppError<ComponentErrorCode> {
  /** The stream error condition (RFC 6120 §4.9.3) when the server sent one. */
  readonly condition: string | undefined;

  constructor(
    code: ComponentErrorCode,
    message: string,
    options: ClawXmppErrorOptions & { condition?: string | undefined } = {},
  ) {
    super(code, `[component] ${message}`, options);
    this.name = "ComponentError";
    this.condition = options.condition;
  }
}
