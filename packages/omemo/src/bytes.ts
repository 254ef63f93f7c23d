/**
 * Byte helpers shared by the wire format, the curve and the store: strict
 * base64 (RFC 4648 § 4, whitespace tolerated as XEP-0384 senders wrap lines)
 * and conversions between Uint8Array and the ArrayBuffers libsignal wants.
 */
import { OmemoError } from "./omemo-error.js";

// Canonical base64 only: Buffer.from(…, "base64") silently skips garbage, which would hide tampering.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes base64, refusing anything that is not canonical base64 or longer than `maxBytes`. */
export function decodeBase64(text: string, maxBytes: number, what: string): Uint8Array {
  const compact = text.replace(/[ \t\r\n]/g, "");
  // Checked before decoding so a huge string costs no allocation.
  if (Math.floor(compact.length / 4) * 3 > maxBytes + 2) {
    throw new OmemoError("too-large", `${what} is longer than ${maxBytes} bytes`);
  }
  if (!BASE64.test(compact)) throw new OmemoError("malformed", `${what} is not valid base64`);
  const bytes = new Uint8Array(Buffer.from(compact, "base64"));
  if (bytes.length > maxBytes) {
    throw new OmemoError("too-large", `${what} is longer than ${maxBytes} bytes`);
  }
  return bytes;
}

/** Encodes bytes as base64 without line breaks. */
export function encodeBase64(bytes: Uint8Array | ArrayBuffer): string {
  return Buffer.from(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes).toString(
    "base64",
  );
}

/** A fresh ArrayBuffer holding exactly these bytes (libsignal checks `instanceof ArrayBuffer`). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}

/** Bytes of a "binary string" (one char per byte), the form libsignal returns ciphertexts in. */
export function binaryStringToBytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "latin1"));
}

/** Constant-time-irrelevant equality for public values (keys, ids). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}
