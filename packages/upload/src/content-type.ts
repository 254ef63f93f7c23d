/**
 * Content type from a file's first bytes (magic numbers). The sender's
 * `Content-Type` header and file name are not trusted: a `.png` that is
 * really HTML must not be handed on as an image.
 */

/** A detected type and the extension files of that type are saved with. */
export interface SniffedType {
  /** MIME type. */
  contentType: string;
  /** Extension without the dot. */
  extension: string;
}

/** How many leading bytes {@link sniffContentType} looks at. */
export const SNIFF_BYTES = 512;

const startsWith = (bytes: Uint8Array, signature: readonly number[], offset = 0): boolean =>
  bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

const SIGNATURES: readonly { test: (b: Uint8Array) => boolean; type: SniffedType }[] = [
  {
    test: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    type: { contentType: "image/png", extension: "png" },
  },
  {
    test: (b) => startsWith(b, [0xff, 0xd8, 0xff]),
    type: { contentType: "image/jpeg", extension: "jpg" },
  },
  {
    test: (b) => startsWith(b, ascii("GIF87a")) || startsWith(b, ascii("GIF89a")),
    type: { contentType: "image/gif", extension: "gif" },
  },
  {
    test: (b) => startsWith(b, ascii("RIFF")) && startsWith(b, ascii("WEBP"), 8),
    type: { contentType: "image/webp", extension: "webp" },
  },
  {
    test: (b) => startsWith(b, ascii("%PDF-")),
    type: { contentType: "application/pdf", extension: "pdf" },
  },
  {
    test: (b) =>
      ["heic", "heix", "mif1", "msf1"].some((brand) => startsWith(b, ascii(`ftyp${brand}`), 4)),
    type: { contentType: "image/heic", extension: "heic" },
  },
  {
    test: (b) => startsWith(b, ascii("ftypavif"), 4),
    type: { contentType: "image/avif", extension: "avif" },
  },
  {
    test: (b) => startsWith(b, ascii("ftyp"), 4) && !startsWith(b, ascii("M4A "), 8),
    type: { contentType: "video/mp4", extension: "mp4" },
  },
  {
    test: (b) => startsWith(b, ascii("ftypM4A "), 4),
    type: { contentType: "audio/mp4", extension: "m4a" },
  },
  {
    test: (b) => startsWith(b, ascii("OggS")),
    type: { contentType: "audio/ogg", extension: "ogg" },
  },
  {
    test: (b) =>
      startsWith(b, ascii("ID3")) ||
      (b.length >= 2 && b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0),
    type: { contentType: "audio/mpeg", extension: "mp3" },
  },
  {
    test: (b) => startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06]),
    type: { contentType: "application/zip", extension: "zip" },
  },
];

const OCTET_STREAM: SniffedType = { contentType: "application/octet-stream", extension: "bin" };
const TEXT: SniffedType = { contentType: "text/plain", extension: "txt" };

/**
 * The type of a file from its first bytes (pass at least {@link SNIFF_BYTES}
 * when available). Text is UTF-8 without control characters other than
 * tab, CR, LF and form feed; anything unknown is `application/octet-stream`.
 * HTML and SVG are deliberately reported as text, never as renderable markup.
 */
export function sniffContentType(head: Uint8Array): SniffedType {
  for (const signature of SIGNATURES) {
    if (signature.test(head)) return signature.type;
  }
  return looksLikeText(head.subarray(0, SNIFF_BYTES)) ? TEXT : OCTET_STREAM;
}

function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  for (const byte of bytes) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c)
      return false;
    if (byte === 0x7f) return false;
  }
  // A multi-byte character cut at the end of the sample is still text.
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    decoder.decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}
