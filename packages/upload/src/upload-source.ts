/**
 * What can be uploaded: a local file (inside the roots), bytes in memory, or
 * a Node or web stream of announced size. XEP-0363 §4 needs the size before
 * the slot is requested, so a stream must say how long it is; the bytes that
 * actually flow are counted and a mismatch aborts the PUT.
 */
import path from "node:path";
import { Readable } from "node:stream";
import { SNIFF_BYTES, sniffContentType } from "./content-type.js";
import { openInRoots } from "./local-file.js";
import { displayName } from "./safe-name.js";
import { UploadError } from "./upload-error.js";

/** A file path (read only inside the configured roots), bytes, or a stream. */
export type UploadSource = string | Uint8Array | Readable | ReadableStream<Uint8Array>;

/** Progress of an upload. */
export interface UploadProgress {
  /** Bytes handed to the HTTP request so far. */
  sent: number;
  /** Bytes in total. */
  total: number;
}

/** Per-file options of `upload()` and `sendFile()`. */
export interface UploadFileOptions {
  /** File name announced in the slot request. @default the file's base name, or "file" */
  name?: string;
  /** MIME type announced. @default detected from the first bytes (paths and bytes), else application/octet-stream */
  contentType?: string;
  /** Size in bytes; required for streams, checked against what the stream produces. */
  size?: number;
  /** Called as bytes are sent. */
  onProgress?: (progress: UploadProgress) => void;
}

/** A source ready to be uploaded. */
export interface PreparedSource {
  name: string;
  size: number;
  contentType: string;
  /** The body, counting bytes and failing on a size mismatch. Call once. */
  body(onProgress?: (progress: UploadProgress) => void): ReadableStream<Uint8Array>;
  /** Releases the file descriptor, if any. */
  close(): Promise<void>;
}

/** Opens and measures `source`. */
export async function prepareSource(
  source: UploadSource,
  options: UploadFileOptions,
  roots: readonly string[],
): Promise<PreparedSource> {
  if (typeof source === "string") {
    const file = await openInRoots(source, roots);
    let contentType = options.contentType;
    if (!contentType) {
      const head = Buffer.alloc(Math.min(SNIFF_BYTES, file.size));
      await file.handle.read(head, 0, head.length, 0);
      contentType = sniffContentType(head).contentType;
    }
    return {
      name: slotName(options.name ?? path.basename(source)),
      size: file.size,
      contentType,
      body: (onProgress) =>
        counted(
          Readable.toWeb(
            file.handle.createReadStream({ start: 0, autoClose: false }),
          ) as ReadableStream<Uint8Array>,
          file.size,
          onProgress,
        ),
      close: () => file.handle.close().catch(() => {}),
    };
  }
  if (source instanceof Uint8Array) {
    return {
      name: slotName(options.name),
      size: source.byteLength,
      contentType: options.contentType ?? sniffContentType(source).contentType,
      body: (onProgress) =>
        counted(
          new ReadableStream<Uint8Array>({
            start(controller) {
              // Chunks of 64 KiB so progress is reported as the request proceeds.
              for (let at = 0; at < source.byteLength; at += 65_536) {
                controller.enqueue(source.subarray(at, at + 65_536));
              }
              controller.close();
            },
          }),
          source.byteLength,
          onProgress,
        ),
      close: async () => {},
    };
  }
  const size = options.size;
  if (size === undefined || !Number.isSafeInteger(size) || size < 0) {
    throw new UploadError("size-mismatch", "a stream upload needs its size in options.size");
  }
  const web =
    source instanceof Readable
      ? (Readable.toWeb(source) as ReadableStream<Uint8Array>)
      : (source as ReadableStream<Uint8Array>);
  return {
    name: slotName(options.name),
    size,
    contentType: options.contentType ?? "application/octet-stream",
    body: (onProgress) => counted(web, size, onProgress),
    close: async () => {
      if (source instanceof Readable) source.destroy();
    },
  };
}

/** XEP-0363 forbids nothing, but servers refuse `/` (Prosody); keep names to a safe display form. */
function slotName(name: string | undefined): string {
  return displayName(name);
}

/** Passes `stream` through, reporting progress and failing when it is not exactly `size` bytes. */
function counted(
  stream: ReadableStream<Uint8Array>,
  size: number,
  onProgress: ((progress: UploadProgress) => void) | undefined,
): ReadableStream<Uint8Array> {
  let sent = 0;
  const report = () => {
    try {
      onProgress?.({ sent, total: size });
    } catch {
      // A throwing progress callback must not break the upload.
    }
  };
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        sent += chunk.byteLength;
        if (sent > size) {
          controller.error(
            new UploadError(
              "size-mismatch",
              `the source produced more than the announced ${size} bytes`,
            ),
          );
          return;
        }
        controller.enqueue(chunk);
        report();
      },
      flush(controller) {
        if (sent !== size) {
          controller.error(
            new UploadError(
              "size-mismatch",
              `the source produced ${sent} bytes, ${size} were announced`,
            ),
          );
        }
      },
    }),
  );
}
