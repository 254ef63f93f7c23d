/**
 * Writing a download to disk: into a hidden temporary file created
 * exclusively with mode 0600, counting bytes as they arrive (the cap is
 * enforced while streaming, never after), sniffing the first bytes for the
 * type, then renaming to a generated name. On any failure the partial file
 * is deleted.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SNIFF_BYTES, type SniffedType, sniffContentType } from "./content-type.js";
import { generatedFileName } from "./safe-name.js";
import { UploadError } from "./upload-error.js";

/** A file saved by {@link saveStream}. */
export interface SavedFile {
  /** Absolute path of the saved file, inside the download directory. */
  path: string;
  /** Bytes written. */
  size: number;
  /** Type found from the first bytes. */
  type: SniffedType;
}

/** A pass-through that fails once more than `max` bytes flowed. */
export function byteLimit(max: number, what: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > max) {
        callback(new UploadError("too-large", `${what} is larger than the ${max}-byte limit`));
        return;
      }
      callback(null, chunk);
    },
  });
}

/** Streams `source` into `dir` under a generated name; at most `max` bytes. */
export async function saveStream(
  source: Readable,
  dir: string,
  max: number,
  signal: AbortSignal,
): Promise<SavedFile> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.${randomBytes(12).toString("hex")}.part`);
  const head: Buffer[] = [];
  let headLength = 0;
  let size = 0;
  const sniffer = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (headLength < SNIFF_BYTES) {
        head.push(chunk.subarray(0, SNIFF_BYTES - headLength));
        headLength += Math.min(chunk.length, SNIFF_BYTES - headLength);
      }
      callback(null, chunk);
    },
  });
  // Created before streaming starts, so the cleanup below can never race the file's creation.
  const handle = await open(temp, "wx", 0o600).catch((error: unknown) => {
    throw new UploadError("io", `cannot create a file in ${dir}`, { cause: error });
  });
  try {
    await pipeline(source, byteLimit(max, "the file"), sniffer, handle.createWriteStream(), {
      signal,
    });
    const type = sniffContentType(Buffer.concat(head));
    const final = path.join(dir, generatedFileName(type.extension));
    await rename(temp, final);
    return { path: final, size, type };
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
    if (error instanceof UploadError) throw error;
    if (signal.aborted && signal.reason instanceof UploadError) throw signal.reason;
    const detail = error instanceof Error ? error.message : String(error);
    throw new UploadError(
      signal.aborted ? "aborted" : "io",
      `saving the download failed: ${detail}`,
      {
        cause: error,
      },
    );
  }
}
