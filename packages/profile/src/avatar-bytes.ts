/**
 * Avatar bytes in and out: reading a file without ever holding more than the
 * bound, describing an image (XEP-0084 § 4.2.1: SHA-1 id, type, size,
 * dimensions from its header), and decoding received base64 within a bound.
 */
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { readImageHeader } from "./image-header.js";
import { ProfileError } from "./profile-error.js";
import type { AvatarInfo } from "./profile-types.js";

/** SHA-1 of `bytes` as lowercase hex (XEP-0084 § 4.2.1 id, XEP-0153 § 3.1 hash). */
export function sha1Hex(bytes: Uint8Array): string {
  return createHash("sha1").update(bytes).digest("hex");
}

/** Reads `input` (bytes, or a file path); refuses anything larger than `maxBytes`. */
export async function loadImage(input: Uint8Array | string, maxBytes: number): Promise<Uint8Array> {
  if (typeof input !== "string") {
    if (!(input instanceof Uint8Array)) {
      throw new ProfileError("invalid", "an avatar is a file path or a Uint8Array");
    }
    if (input.length > maxBytes) throw tooLarge(input.length, maxBytes);
    return input;
  }
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(input, "r");
  } catch (error) {
    throw new ProfileError("io", `cannot open avatar file ${input}`, { cause: error });
  }
  try {
    const { size, isFile } = await file.stat().then((s) => ({ size: s.size, isFile: s.isFile() }));
    if (!isFile) throw new ProfileError("io", `avatar ${input} is not a file`);
    if (size > maxBytes) throw tooLarge(size, maxBytes);
    // Read at most one byte more than allowed, in case the file grew since stat.
    const buffer = new Uint8Array(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await file.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) throw tooLarge(length, maxBytes);
    return buffer.subarray(0, length);
  } finally {
    await file.close();
  }
}

/** Describes a PNG/JPEG we are about to publish; refuses other formats and oversized images. */
export function describeImage(bytes: Uint8Array, maxPixels: number): AvatarInfo {
  const header = readImageHeader(bytes);
  if (header.width > maxPixels || header.height > maxPixels) {
    throw new ProfileError(
      "too-large",
      `avatar is ${header.width}×${header.height} pixels; the limit is ${maxPixels} per side`,
    );
  }
  return { id: sha1Hex(bytes), bytes: bytes.length, ...header };
}

/** Decodes base64 received from a contact, refusing more than `maxBytes` before decoding. */
export function decodeBase64(text: string, maxBytes: number, what: string): Uint8Array {
  const compact = text.replace(/\s+/gu, "");
  if (Math.floor((compact.length * 3) / 4) > maxBytes + 2)
    throw tooLarge(undefined, maxBytes, what);
  if (!/^[A-Za-z0-9+/]*={0,2}$/u.test(compact)) {
    throw new ProfileError("malformed", `${what} is not valid base64`);
  }
  const bytes = new Uint8Array(Buffer.from(compact, "base64"));
  if (bytes.length > maxBytes) throw tooLarge(bytes.length, maxBytes, what);
  return bytes;
}

function tooLarge(size: number | undefined, max: number, what = "avatar"): ProfileError {
  const actual = size === undefined ? "" : ` is ${size} bytes;`;
  return new ProfileError(
    "too-large",
    `${what}${actual || " is"} larger than the ${max}-byte limit`,
  );
}
