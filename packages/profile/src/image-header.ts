/**
 * Reads the type and pixel size of an avatar from its first bytes, trusting
 * the content and never the file name: PNG (ISO/IEC 15948 § 5.2 signature,
 * § 11.2.2 IHDR) and JPEG (ITU T.81 Annex B: SOI, then marker segments up to
 * the first start-of-frame). Anything else is refused.
 */
import { ProfileError } from "./profile-error.js";

/** What an image header says. */
export interface ImageHeader {
  type: "image/png" | "image/jpeg";
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Reads a PNG or JPEG header; throws a {@link ProfileError} for anything else or a broken header. */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return readPng(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return readJpeg(bytes);
  throw new ProfileError("unsupported-format", "only PNG and JPEG avatars are supported");
}

function u16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function u32(bytes: Uint8Array, at: number): number {
  return u16(bytes, at) * 65_536 + u16(bytes, at + 2);
}

function readPng(bytes: Uint8Array): ImageHeader {
  // Signature (8), then the IHDR chunk: length 13, type "IHDR", width, height.
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (bytes.length < 24 || u32(bytes, 8) !== 13 || type !== "IHDR") {
    throw new ProfileError("bad-image", "PNG without a valid IHDR header");
  }
  return checked("image/png", u32(bytes, 16), u32(bytes, 20));
}

function readJpeg(bytes: Uint8Array): ImageHeader {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) break;
    const marker = bytes[at + 1] ?? 0;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    // Markers without a length: TEM and RSTn.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image, or scan data before any frame
    const length = u16(bytes, at + 2);
    if (length < 2) break;
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (length < 7 || at + 9 > bytes.length) break;
      return checked("image/jpeg", u16(bytes, at + 7), u16(bytes, at + 5));
    }
    at += 2 + length;
  }
  throw new ProfileError("bad-image", "JPEG without a readable frame header");
}

function checked(type: ImageHeader["type"], width: number, height: number): ImageHeader {
  if (width === 0 || height === 0) {
    throw new ProfileError("bad-image", `${type} header gives a size of ${width}×${height}`);
  }
  return { type, width, height };
}
