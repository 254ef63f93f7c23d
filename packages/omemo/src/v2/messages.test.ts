import { describe, expect, it } from "vitest";
import { refusal } from "../../test/refusal.js";
import { OmemoError } from "../omemo-error.js";
import {
  decodeAuthenticatedMessage,
  decodeKeyExchange,
  decodeOmemoMessage,
  encodeAuthenticatedMessage,
  encodeKeyExchange,
  encodeOmemoMessage,
  MAX_MESSAGE_BYTES,
} from "./messages.js";
import { encodeFields } from "./proto-wire.js";

const key = new Uint8Array(32).fill(7);
const mac = new Uint8Array(16).fill(9);
const valid = encodeOmemoMessage({ n: 3, pn: 2, dhPub: key, ciphertext: new Uint8Array(64) });

describe("OMEMO 2 protobuf decoders refuse hostile input", () => {
  it.each([
    ["empty input", new Uint8Array(), /required field 1 is missing/],
    ["truncated varint", Uint8Array.of(0x08, 0x80), /truncated varint/],
    ["varint beyond 32 bits", Uint8Array.of(0x08, 0xff, 0xff, 0xff, 0xff, 0x1f), /exceeds 32 bits/],
    ["six-byte varint", Uint8Array.of(0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00), /exceeds 32 bits/],
    ["wrong wire type", Uint8Array.of(0x0a, 0x00), /wire type 2, expected 0/],
    [
      "length past the end",
      Uint8Array.of(0x08, 0x00, 0x10, 0x00, 0x1a, 0x20, 0x01),
      /past the end/,
    ],
    ["group wire type", Uint8Array.of(0x5b), /unsupported wire type 3 \(field 11\)/],
    ["field number 0", Uint8Array.of(0x00, 0x00), /field number 0/],
    ["duplicate field", Uint8Array.of(0x08, 0x01, 0x08, 0x02), /appears twice/],
    [
      "short dh_pub",
      encodeFields([
        [1, 0],
        [2, 0],
        [3, new Uint8Array(31)],
      ]),
      /dh_pub is 31 bytes/,
    ],
  ])("OMEMOMessage: %s", (_name, bytes, text) => {
    const refused = refusal(() => decodeOmemoMessage(bytes));
    expect(refused).toMatch(/^malformed: \[omemo\] OMEMOMessage[:.]/);
    expect(refused).toMatch(text);
  });

  it("refuses oversize messages and fields as too-large before reading them", () => {
    expect(refusal(() => decodeOmemoMessage(new Uint8Array(MAX_MESSAGE_BYTES + 1)))).toMatch(
      /^too-large:/,
    );
    const longKey = encodeFields([
      [1, 0],
      [2, 0],
      [3, new Uint8Array(33)],
    ]);
    expect(refusal(() => decodeOmemoMessage(longKey))).toMatch(/^too-large:/);
  });

  it("skips unknown fields and accepts fields in any order", () => {
    const shuffled = encodeFields([
      [9, 12345],
      [3, key],
      [10, new Uint8Array(3)],
      [2, 2],
      [1, 3],
      [4, new Uint8Array(64)],
    ]);
    expect(decodeOmemoMessage(shuffled)).toEqual(decodeOmemoMessage(valid));
  });

  it("refuses a truncated MAC, a missing message, short keys and a hostile message inside a key exchange", () => {
    expect(
      refusal(() =>
        decodeAuthenticatedMessage(
          encodeFields([
            [1, mac.subarray(1)],
            [2, valid],
          ]),
        ),
      ),
    ).toMatch(/mac is 15 bytes/);
    expect(refusal(() => decodeAuthenticatedMessage(encodeFields([[1, mac]])))).toMatch(
      /field 2 is missing/,
    );
    const good = encodeAuthenticatedMessage({ mac, message: valid });
    const kex = (ik: Uint8Array, message: Uint8Array) =>
      encodeFields([
        [1, 1],
        [2, 1],
        [3, ik],
        [4, key],
        [5, message],
      ]);
    expect(decodeKeyExchange(kex(key, good)).message).toEqual(good);
    expect(refusal(() => decodeKeyExchange(kex(new Uint8Array(5), good)))).toMatch(/ik is 5 bytes/);
    expect(refusal(() => decodeKeyExchange(kex(key, Uint8Array.of(0x0a, 0x05))))).toMatch(
      /OMEMOAuthenticatedMessage: field runs past the end/,
    );
  });

  it("refuses to encode values the protocol cannot carry", () => {
    expect(() => encodeOmemoMessage({ n: -1, pn: 0, dhPub: key })).toThrow(/not a uint32/);
    expect(() => encodeOmemoMessage({ n: 2 ** 32, pn: 0, dhPub: key })).toThrow(/not a uint32/);
    expect(() => encodeOmemoMessage({ n: 0, pn: 0, dhPub: new Uint8Array(33) })).toThrow(/dh_pub/);
    expect(() => encodeAuthenticatedMessage({ mac: new Uint8Array(32), message: valid })).toThrow(
      /mac/,
    );
    expect(() =>
      encodeKeyExchange({ pkId: 1, spkId: 1, ik: key, ek: new Uint8Array(1), message: valid }),
    ).toThrow(/ek/);
  });

  it("survives random garbage with OmemoErrors only", () => {
    let state = 0x12345678;
    const next = () => {
      state = (state * 1103515245 + 12345) >>> 0;
      return state >>> 24;
    };
    for (let round = 0; round < 500; round++) {
      const bytes = Uint8Array.from({ length: next() % 80 }, next);
      for (const decode of [decodeOmemoMessage, decodeAuthenticatedMessage, decodeKeyExchange]) {
        try {
          decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(OmemoError);
        }
      }
    }
  });
});
