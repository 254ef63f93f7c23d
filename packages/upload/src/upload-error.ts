/**
 * The one error the upload plugin raises. `reason` lets callers branch on
 * what went wrong without parsing messages; `status` carries the HTTP status
 * when a server answered with an error.
 */
import { ClawXmppError } from "@clawxmpp/core";

/** Why an upload or download failed. */
export type UploadErrorReason =
  /** The server has no XEP-0363 upload service. */
  | "no-service"
  /** The file is bigger than the service's (or our) limit; nothing was sent. */
  | "too-large"
  /** A local path outside every configured root, or not a regular file. */
  | "outside-roots"
  /** A URL with a scheme, host or port we refuse (plain http, credentials…). */
  | "insecure-url"
  /** The host resolves to a private, loopback or otherwise non-public address. */
  | "private-address"
  /** A redirect we refuse (another host, too many, a bad location). */
  | "redirect"
  /** The HTTP server answered with an error status (see `status`). */
  | "http"
  /** The upload service refused the slot request (see `cause`). */
  | "slot-refused"
  /** The transfer did not finish in time. */
  | "timeout"
  /** An `aesgcm://` URL and no decrypt hook, or the hook failed. */
  | "encrypted"
  /** The source stream produced a different number of bytes than announced. */
  | "size-mismatch"
  /** The transfer was aborted (plugin stopped). */
  | "aborted"
  /** Network or file-system failure (see `cause`). */
  | "io";

/** The error codes `@clawxmpp/upload` raises (the detail is in `reason`). */
export type UploadErrorCode = "upload";

/** A failed upload or download; `code` is always `"upload"`. */
export class UploadError extends ClawXmppError<UploadErrorCode> {
  /** What went wrong. */
  readonly reason: UploadErrorReason;
  /** The HTTP status, when an HTTP server answered with an error. */
  readonly status: number | undefined;

  constructor(
    reason: UploadErrorReason,
    message: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super("upload", `[upload] ${message}`, { cause: options.cause });
    this.name = "UploadError";
    this.reason = reason;
    this.status = options.status;
  }
}
