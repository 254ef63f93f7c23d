/**
 * Failures of publish-subscribe requests as one error type. Server refusals
 * keep the RFC 6120 § 8.3.3 condition and the XEP-0060 § 14.2 application
 * condition (`precondition-not-met`, `item-forbidden`, `unsupported` with
 * its feature…) read from the error stanza, so callers branch on them.
 */
import { ClawXmppError, StanzaError } from "@clawxmpp/core";
import { NS_PUBSUB_ERRORS } from "./namespaces.js";

/**
 * The error codes `@clawxmpp/pubsub` raises; the detail is in `condition`.
 * - `refused`: the service answered with an error stanza (`condition`, `pubsubCondition`).
 * - `invalid`: a bad argument, refused before anything was sent.
 * - `malformed`: an answer we cannot read.
 * - `timeout`: no answer in time.
 * - `unavailable`: the request could not be made or answered (not connected, stopped, queue full).
 * - `internal`: anything else (a bug); `cause` has the original.
 */
export type PubsubErrorCode =
  | "refused"
  | "invalid"
  | "malformed"
  | "timeout"
  | "unavailable"
  | "internal";

/** Where a request went wrong. */
export interface PubsubErrorTarget {
  /** The pubsub service, or undefined for our own PEP service. */
  service?: string | undefined;
  /** The node, when the request named one. */
  node?: string | undefined;
}

/** A pubsub request failed, or something received was unusable. */
export class PubsubError extends ClawXmppError<PubsubErrorCode> {
  /**
   * RFC 6120 condition of a server refusal (`item-not-found`, `forbidden`,
   * `conflict`…), or a local reason: `malformed` (an answer we cannot read),
   * `too-large` (beyond a configured bound), `timeout`, `invalid` (bad input).
   */
  readonly condition: string;
  /** XEP-0060 § 14.2 application condition, e.g. `precondition-not-met`, `max-items-exceeded`. */
  readonly pubsubCondition: string | undefined;
  /** The feature named by an `<unsupported feature='…'/>` condition. */
  readonly feature: string | undefined;
  /** The server's human-readable text, when given. */
  readonly text: string | undefined;
  readonly service: string | undefined;
  readonly node: string | undefined;

  constructor(
    condition: string,
    target: PubsubErrorTarget,
    details: {
      pubsubCondition?: string | undefined;
      feature?: string | undefined;
      text?: string | undefined;
      code?: PubsubErrorCode;
      cause?: unknown;
    } = {},
  ) {
    const where = `${target.service ?? "pep"}${target.node === undefined ? "" : ` node "${target.node}"`}`;
    const app = details.pubsubCondition
      ? ` (${details.pubsubCondition}${details.feature ? ` ${details.feature}` : ""})`
      : "";
    super(
      details.code ?? "refused",
      `[pubsub] ${where}: ${condition}${app}${details.text ? `: ${details.text}` : ""}`,
      details.cause === undefined ? {} : { cause: details.cause },
    );
    this.name = "PubsubError";
    this.condition = condition;
    this.pubsubCondition = details.pubsubCondition;
    this.feature = details.feature;
    this.text = details.text;
    this.service = target.service;
    this.node = target.node;
  }

  /** A local failure: bad input (`invalid`) or an answer we cannot read (`malformed`). */
  static local(
    condition: "invalid" | "malformed",
    target: PubsubErrorTarget,
    text: string,
  ): PubsubError {
    return new PubsubError(condition, target, { text, code: condition });
  }

  /** Turns whatever an IQ request rejected with into a PubsubError. */
  static from(error: unknown, target: PubsubErrorTarget): PubsubError {
    if (error instanceof PubsubError) return error;
    if (error instanceof StanzaError) {
      const app = error.element
        ?.getChild("error")
        ?.getChildElements()
        .find((child) => child.attrs.xmlns === NS_PUBSUB_ERRORS);
      return new PubsubError(error.condition, target, {
        pubsubCondition: app?.name,
        feature: app?.attrs.feature,
        text: error.text,
        cause: error,
      });
    }
    if (ClawXmppError.isInstance(error)) {
      return new PubsubError(error.code, target, {
        text: error.message,
        code: error.code === "timeout" ? "timeout" : "unavailable",
        cause: error,
      });
    }
    return new PubsubError("internal", target, {
      text: error instanceof Error ? error.message : String(error),
      code: "internal",
      cause: error,
    });
  }
}
