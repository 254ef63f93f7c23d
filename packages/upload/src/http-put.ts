/**
 * The HTTP upload itself, XEP-0363 §5: a PUT of the file to the slot's URL
 * with Content-Length and Content-Type matching the request and only the
 * allowed slot headers. The body is streamed (never held in memory); the
 * response body is drained so the connection is released; redirects are
 * not followed (a slot URL is final).
 */

import type { UploadSlot } from "./slot.js";
import { UploadError } from "./upload-error.js";
import type { PreparedSource, UploadProgress } from "./upload-source.js";

/** Uploads `source` to `slot`; throws `UploadError` with the HTTP status on failure. */
export async function putFile(
  slot: UploadSlot,
  source: PreparedSource,
  signal: AbortSignal,
  onProgress?: (progress: UploadProgress) => void,
): Promise<void> {
  const body = source.body(onProgress);
  let response: Response;
  try {
    response = await fetch(slot.put, {
      method: "PUT",
      headers: {
        ...slot.headers,
        "Content-Type": source.contentType,
        "Content-Length": String(source.size),
      },
      body,
      duplex: "half",
      redirect: "manual",
      signal,
    } as RequestInit & { duplex: "half" });
  } catch (error) {
    throw transferError(error, signal, "upload");
  }
  await response.body?.cancel().catch(() => {});
  if (response.status < 200 || response.status > 299) {
    throw new UploadError(
      "http",
      `the upload server answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`,
      { status: response.status },
    );
  }
}

/** Turns a fetch/stream failure into an `UploadError`, keeping one we raised ourselves. */
export function transferError(error: unknown, signal: AbortSignal, what: string): UploadError {
  if (error instanceof UploadError) return error;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof UploadError) return cause;
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof UploadError) return reason;
    return new UploadError("aborted", `${what} aborted`, { cause: reason });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new UploadError("io", `${what} failed: ${detail}`, { cause: error });
}
