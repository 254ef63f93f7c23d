/** Test images shared by the avatar suites. */
import { randomBytes } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";

/** A real, decodable RGBA PNG of `width`×`height` (ISO/IEC 15948: signature, IHDR, IDAT, IEND). */
export function realPng(width: number, height: number, noise = false): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, "ascii");
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const row = () =>
    Buffer.concat([
      Buffer.from([0]),
      noise ? randomBytes(width * 4) : Buffer.alloc(width * 4, 0x7f),
    ]);
  const pixels = Buffer.concat(Array.from({ length: height }, row));
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk("IHDR", ihdr),
      chunk("IDAT", deflateSync(pixels)),
      chunk("IEND", Buffer.alloc(0)),
    ]),
  );
}
