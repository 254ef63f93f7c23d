/**
 * One error type for the whole toolkit. Every error carries a stable `code`
 * so callers branch on codes, never on message text. `isInstance` works even
 * when two copies of the package are installed side by side.
 */
import type { Element } from "./xml.js";

/** The codes core itself raises. Each plugin package declares its own codes. */
export type CoreErrorCode =
  | "config"
  | "jid"
  | "auth"
  | "tls"
  | "timeout"
  | "connection"
  | "stream"
  | "stanza"
  | "not-connected"
  | "queue-full"
  | "stopped"
  | "protocol"
  | "storage"
  | "dns";

/** Any error code: core's ({@link CoreErrorCode}) or a plugin package's own. */
export type ClawXmppErrorCode = CoreErrorCode | (string & {});

const MARKER = Symbol.for("clawxmpp.error");

/** Options accepted by {@link ClawXmppError}. */
export interface ClawXmppErrorOptions {
  cause?: unknown;
  /** True when retrying (reconnecting) cannot help, e.g. a wrong password. */
  terminal?: boolean;
}

/**
 * Base class of every error raised by clawxmpp packages. `Code` narrows `code` for a package's own
 * error class: `class PubsubError extends ClawXmppError<PubsubErrorCode> {}`.
 */
export class ClawXmppError<Code extends string = ClawXmppErrorCode> extends Error {
  readonly [MARKER] = true;
  readonly code: Code;
  /** True when retrying cannot help; the client stops reconnecting. */
  readonly terminal: boolean;

  constructor(code: Code, message: string, options: ClawXmppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ClawXmppError";
    this.code = code;
    this.terminal = options.terminal ?? false;
  }

  /** True for any clawxmpp error, from any copy of the package. */
  static isInstance(value: unknown): value is ClawXmppError {
    return typeof value === "object" && value !== null && MARKER in value;
  }
}

/** Invalid options or configuration; `field` is the dotted path of the bad value. */
export class ConfigError extends ClawXmppError<"config"> {
  readonly issues: readonly { field: string; message: string }[];
  constructor(message: string, issues: readonly { field: string; message: string }[] = []) {
    super("config", message, { terminal: true });
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/** The server rejected our credentials (RFC 6120 §6.5). Terminal: never retried. */
export class AuthError extends ClawXmppError<"auth"> {
  /** The SASL failure condition, e.g. `not-authorized`. */
  readonly condition: string;
  constructor(condition: string, text?: string, options: ClawXmppErrorOptions = {}) {
    super("auth", `authentication failed: ${condition}${text ? ` (${text})` : ""}`, {
      ...options,
      terminal: options.terminal ?? true,
    });
    this.name = "AuthError";
    this.condition = condition;
  }
}

/** A step did not finish in time. `step` names it (connect, tls, features, auth, bind, iq…). */
export class TimeoutError extends ClawXmppError<"timeout"> {
  readonly step: string;
  constructor(step: string, ms: number) {
    super("timeout", `${step} timed out after ${ms} ms`);
    this.name = "TimeoutError";
    this.step = step;
  }
}

/** An error stanza (RFC 6120 §8.3) returned by a peer or server. */
export class StanzaError extends ClawXmppError<"stanza"> {
  readonly condition: string;
  readonly type: string;
  readonly text: string | undefined;
  readonly element: Element | undefined;

  constructor(condition: string, type: string, text?: string, element?: Element) {
    super("stanza", `${condition}${text ? `: ${text}` : ""}`);
    this.name = "StanzaError";
    this.condition = condition;
    this.type = type;
    this.text = text;
    this.element = element;
  }

  /** Builds the error from a stanza of type `error`. */
  static fromElement(stanza: Element): StanzaError {
    const error = stanza.getChild("error");
    const type = error?.attrs.type ?? "cancel";
    let condition = "undefined-condition";
    let text: string | undefined;
    for (const child of error?.getChildElements() ?? []) {
      if (child.attrs.xmlns !== NS_STANZAS) continue;
      if (child.name === "text") text = child.text();
      else condition = child.name;
    }
    return new StanzaError(condition, type, text, stanza);
  }
}

/** A stream-level error (RFC 6120 §4.9) sent by the server before it closed the stream. */
export class StreamError extends ClawXmppError<"stream"> {
  readonly condition: string;
  constructor(condition: string, text?: string) {
    super("stream", `stream error: ${condition}${text ? ` (${text})` : ""}`);
    this.name = "StreamError";
    this.condition = condition;
  }

  static fromElement(element: Element): StreamError {
    let condition = "undefined-condition";
    let text: string | undefined;
    for (const child of element.getChildElements()) {
      if (child.name === "text") text = child.text();
      else condition = child.name;
    }
    return new StreamError(condition, text);
  }
}

const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
