/**
 * Downloading an attachment: URL checks, redirects and address pinning
 * (follow-redirects.ts), a status and Content-Length check, then the body
 * streamed to disk under a cap (save-file.ts). XEP-0454 `aesgcm://` URLs are
 * fetched over https and their ciphertext passed through the decrypt hook.
 */
import { Readable } from "node:stream";
import { type Attachment, attachmentUrl } from "./attachments.js";
import { ciphertextUrl, type DecryptHook, isEncryptedUrl } from "./decrypt-hook.js";
import { type FetchPolicy, getFollowingRedirects } from "./follow-redirects.js";
import { nameFromUrl } from "./safe-name.js";
import { byteLimit, saveStream } from "./save-file.js";
import { UploadError } from "./upload-error.js";

/** AES-GCM appends a 16-byte authentication tag to the ciphertext (XEP-0454 §3). */
const GCM_TAG_BYTES = 16;

/** A downloaded file. */
export interface DownloadedFile {
  /** Absolute path of the saved file: `<downloadDir>/<random>.<ext>`. */
  path: string;
  /** Bytes saved. */
  size: number;
  /** Type found from the file's first bytes. */
  contentType: string;
  /** The type the server claimed (untrusted, for information only). */
  declaredContentType: string | undefined;
  /** The sender's file name from the URL, sanitised; display text only, never a path. */
  originalName: string;
  /** The URL that was downloaded (after redirects; the `aesgcm://` URL for encrypted files). */
  url: string;
}

/** What a download needs besides the URL. */
export interface DownloadSettings extends FetchPolicy {
  dir: string;
  maxBytes: number;
  decrypt: DecryptHook | undefined;
}

/** Downloads `attachment` into `settings.dir`. */
export async function downloadAttachment(
  attachment: Attachment | string,
  settings: DownloadSettings,
  signal: AbortSignal,
): Promise<DownloadedFile> {
  const raw = typeof attachment === "string" ? attachment : attachment.url;
  const url = attachmentUrl(raw);
  if (!url) throw new UploadError("insecure-url", "not an http, https or aesgcm URL");
  const encrypted = isEncryptedUrl(url);
  if (encrypted && !settings.decrypt) {
    throw new UploadError(
      "encrypted",
      "this is an encrypted (aesgcm://, XEP-0454) file and no decrypt hook is configured; use @clawxmpp/omemo",
    );
  }
  const { response, url: finalUrl } = await getFollowingRedirects(
    encrypted ? ciphertextUrl(url) : url,
    settings,
    signal,
  );
  const status = response.statusCode ?? 0;
  if (status !== 200) {
    response.destroy();
    throw new UploadError("http", `the file server answered HTTP ${status}`, { status });
  }
  const cap = settings.maxBytes + (encrypted ? GCM_TAG_BYTES : 0);
  const length = Number(response.headers["content-length"]);
  if (Number.isFinite(length) && length > cap) {
    response.destroy();
    throw new UploadError(
      "too-large",
      `the file is ${length} bytes; the limit is ${settings.maxBytes}`,
    );
  }
  let body: Readable = response;
  if (encrypted && settings.decrypt) {
    try {
      body = await decryptBody(response, url, settings.decrypt, cap);
    } catch (error) {
      response.destroy();
      throw new UploadError("encrypted", "the decrypt hook failed", { cause: error });
    }
  }
  const saved = await saveStream(body, settings.dir, settings.maxBytes, signal);
  const declared = response.headers["content-type"];
  return {
    path: saved.path,
    size: saved.size,
    contentType: saved.type.contentType,
    declaredContentType: mimeType(declared),
    originalName: nameFromUrl(finalUrl),
    // The fragment of an aesgcm URL is the key: never hand it on in a result that may be logged.
    url: encrypted ? withoutFragment(url) : finalUrl.href,
  };
}

function mimeType(header: string | undefined): string | undefined {
  const type = header?.split(";")[0]?.trim().toLowerCase();
  return type && /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,64}$/u.test(type)
    ? type
    : undefined;
}

function withoutFragment(url: URL): string {
  const copy = new URL(url.href);
  copy.hash = "";
  return copy.href;
}

/** Runs `ciphertext` (capped at `cap` bytes) through the decrypt hook; resolves with the plaintext stream. */
export async function decryptBody(
  ciphertext: Readable,
  url: URL,
  decrypt: DecryptHook,
  cap: number,
): Promise<Readable> {
  const limited = ciphertext.pipe(byteLimit(cap, "the encrypted file"));
  ciphertext.once("error", (error) => limited.destroy(error));
  const plain = await decrypt(url, Readable.toWeb(limited) as ReadableStream<Uint8Array>);
  return plain instanceof Uint8Array
    ? Readable.from([plain])
    : Readable.fromWeb(plain as import("node:stream/web").ReadableStream<Uint8Array>);
}
