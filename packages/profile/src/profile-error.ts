/**
 * Failures of the profile helpers as one error type whose `reason` says what
 * went wrong (a format we do not publish, an image too large, an avatar
 * whose bytes do not match its announced hash…); pubsub refusals stay
 * `PubsubError`s, passed through unchanged.
 */
import { ClawXmppError } from "@clawxmpp/core";

/** The error codes `@clawxmpp/profile` raises: why a profile operation failed. */
export type ProfileErrorCode =
  /** Not a PNG or JPEG (by content, not by name). */
  | "unsupported-format"
  /** The file or image header is truncated or inconsistent. */
  | "bad-image"
  /** Larger than the configured byte or pixel bounds. */
  | "too-large"
  /** The bytes received do not hash to the id the contact announced. */
  | "hash-mismatch"
  /** Something received could not be read. */
  | "malformed"
  /** A value given to us is not acceptable (empty nickname, unknown mood…). */
  | "invalid"
  /** The file could not be read. */
  | "io";

/** Same as {@link ProfileErrorCode}; the name `reason` is kept for existing callers. */
export type ProfileErrorReason = ProfileErrorCode;

/** A profile operation failed; `code` (and its alias `reason`) says why. */
export class ProfileError extends ClawXmppError<ProfileErrorCode> {
  /** Same as `code`. */
  readonly reason: ProfileErrorCode;

  constructor(reason: ProfileErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(reason, `[profile] ${message}`, options);
    this.name = "ProfileError";
    this.reason = reason;
  }
}
