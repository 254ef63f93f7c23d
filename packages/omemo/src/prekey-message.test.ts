import { describe, expect, it } from "vitest";
import { readPreKeyMessage } from "./prekey-message.js";

// version 0x33, then protobuf fields: preKeyId=1 (varint), identityKey=3 (bytes), signedPreKeyId=6.
const identity = [5, ...new Array(32).fill(7)];
const valid = [0x33, 0x08, 0x2a, 0x1a, 33, ...identity, 0x30, 0x01];

describe("PreKeySignalMessage header", () => {
  it("reads the identity key and prekey ids", () => {
    const info = readPreKeyMessage(new Uint8Array(valid));
    expect(info.identityKey).toEqual(new Uint8Array(identity));
    expect(info.preKeyId).toBe(42);
    expect(info.signedPreKeyId).toBe(1);
  });

  it("refuses hostile input without reading past the end", () => {
    const bad: [number[], RegExp][] = [
      [[], /version 3/],
      [[0x23, 0x08, 0x01], /version 3/],
      [[0x33, 0x1a, 40, 5, 1], /truncated field/],
      [[0x33, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], /varint/],
      [[0x33, 0x0d, 1, 2, 3, 4], /wire type 5/],
      [[0x33, 0x08, 0x01], /no valid identity key/],
      [[0x33, 0x1a, 32, ...identity.slice(1)], /no valid identity key/],
    ];
    for (const [bytes, error] of bad) {
      expect(() => readPreKeyMessage(new Uint8Array(bytes))).toThrow(error);
    }
  });
});
