import { xml } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { buildBundle, parseBundle } from "./bundle-element.js";
import { buildDeviceList, parseDeviceList } from "./device-list.js";
import { buildEncrypted, parseEncrypted } from "./encrypted-element.js";
import { omemoHints } from "./message-hints.js";
import { NS_OMEMO } from "./namespaces.js";

const NS = { xmlns: NS_OMEMO };
const b64 = (bytes: number[] | Uint8Array) => Buffer.from(bytes).toString("base64");
const key33 = (fill: number) => new Uint8Array([5, ...new Array(32).fill(fill)]);

describe("<encrypted/>", () => {
  const message = {
    sid: 12345,
    keys: [
      { rid: 1, prekey: true, data: new Uint8Array([1, 2, 3]) },
      { rid: 2147483647, prekey: false, data: new Uint8Array([4]) },
    ],
    iv: new Uint8Array(12).fill(7),
    payload: new Uint8Array([9, 9]),
  };

  it("round-trips, with prekey='true' only on prekey keys", () => {
    const element = buildEncrypted(message);
    expect(element.toString()).toContain(`<key rid="1" prekey="true">AQID</key>`);
    expect(element.toString()).toContain(`<key rid="2147483647">BA==</key>`);
    expect(parseEncrypted(element)).toEqual(message);
  });

  it("reads a key transport (no payload) and prekey='1'", () => {
    const element = xml(
      "encrypted",
      NS,
      xml(
        "header",
        { sid: "7" },
        xml("key", { rid: "8", prekey: "1" }, "AQ=="),
        xml("iv", {}, b64(new Uint8Array(16))),
      ),
    );
    const parsed = parseEncrypted(element);
    expect(parsed.payload).toBeUndefined();
    expect(parsed.keys[0]?.prekey).toBe(true);
    expect(parsed.iv.length).toBe(16);
  });

  const malformed: [string, ReturnType<typeof xml>, RegExp][] = [
    ["wrong namespace", xml("encrypted", { xmlns: "urn:xmpp:omemo:2" }), /expected <encrypted/],
    ["no header", xml("encrypted", NS), /no <header>/],
    ["sid not decimal", xml("encrypted", NS, xml("header", { sid: "0x10" })), /not a decimal id/],
    [
      "sid zero",
      xml("encrypted", NS, xml("header", { sid: "0" }, xml("iv", {}, "AAAA"))),
      /outside 1/,
    ],
    ["sid 2^31", xml("encrypted", NS, xml("header", { sid: "2147483648" })), /outside/],
    ["no iv", xml("encrypted", NS, xml("header", { sid: "1" })), /no <iv>/],
    [
      "two ivs",
      xml(
        "encrypted",
        NS,
        xml("header", { sid: "1" }, xml("iv", {}, "AAAA"), xml("iv", {}, "AAAA")),
      ),
      /2 <iv>/,
    ],
    [
      "bad base64 key",
      xml(
        "encrypted",
        NS,
        xml("header", { sid: "1" }, xml("key", { rid: "2" }, "A*=="), xml("iv", {}, "AAAA")),
      ),
      /not valid base64/,
    ],
    [
      "empty key",
      xml(
        "encrypted",
        NS,
        xml("header", { sid: "1" }, xml("key", { rid: "2" }), xml("iv", {}, "AAAA")),
      ),
      /<key> is empty/,
    ],
    [
      "bad prekey flag",
      xml(
        "encrypted",
        NS,
        xml(
          "header",
          { sid: "1" },
          xml("key", { rid: "2", prekey: "yes" }, "AQ=="),
          xml("iv", {}, "AAAA"),
        ),
      ),
      /not a boolean/,
    ],
    [
      "missing rid",
      xml(
        "encrypted",
        NS,
        xml("header", { sid: "1" }, xml("key", {}, "AQ=="), xml("iv", {}, "AAAA")),
      ),
      /key rid is missing/,
    ],
    [
      "bad payload",
      xml(
        "encrypted",
        NS,
        xml("header", { sid: "1" }, xml("iv", {}, "AAAA")),
        xml("payload", {}, "@@"),
      ),
      /<payload> is not valid base64/,
    ],
  ];
  for (const [name, element, error] of malformed) {
    it(`refuses ${name}`, () => {
      expect(() => parseEncrypted(element)).toThrow(error);
    });
  }

  it("bounds keys and sizes", () => {
    const limits = {
      maxKeys: 2,
      maxKeyBytes: 4,
      maxIvBytes: 16,
      maxPayloadBytes: 8,
      maxDevices: 2,
      maxPreKeys: 2,
      maxLabelLength: 5,
    };
    const keys = [1, 2, 3].map((rid) => xml("key", { rid }, "AQ=="));
    expect(() =>
      parseEncrypted(
        xml("encrypted", NS, xml("header", { sid: "1" }, keys, xml("iv", {}, "AAAA"))),
        limits,
      ),
    ).toThrow(expect.objectContaining({ condition: "too-large" }));
    expect(() =>
      parseEncrypted(
        xml(
          "encrypted",
          NS,
          xml("header", { sid: "1" }, xml("iv", {}, "AAAA")),
          xml("payload", {}, b64(new Uint8Array(64))),
        ),
        limits,
      ),
    ).toThrow(/longer than 8 bytes/);
  });

  it("hints: store, EME and fallback body; none for key transports", () => {
    expect(omemoHints().map((e) => e.name)).toEqual(["store", "encryption", "body"]);
    expect(omemoHints(false).map((e) => e.name)).toEqual(["store", "encryption"]);
  });
});

describe("device list", () => {
  it("round-trips, collapsing duplicates", () => {
    const element = buildDeviceList([5, 6, 5, { id: 7, label: "bot" }]);
    expect(parseDeviceList(element)).toEqual([{ id: 5 }, { id: 6 }, { id: 7, label: "bot" }]);
    expect(
      parseDeviceList(xml("list", NS, xml("device", { id: "1" }), xml("device", { id: "1" }))),
    ).toEqual([{ id: 1 }]);
  });

  it("refuses bad ids, wrong namespaces and too many devices", () => {
    expect(() => parseDeviceList(xml("list", NS, xml("device", { id: "-1" })))).toThrow(/decimal/);
    expect(() => parseDeviceList(xml("list", NS, xml("device")))).toThrow(/missing/);
    expect(() => parseDeviceList(xml("list", { xmlns: "other" }))).toThrow(/expected <list/);
    const many = Array.from({ length: 201 }, (_, i) => xml("device", { id: i + 1 }));
    expect(() => parseDeviceList(xml("list", NS, many))).toThrow(/201 devices/);
    expect(() => buildDeviceList([0])).toThrow(/device id 0/);
  });
});

describe("bundle", () => {
  const bundle = {
    identityKey: key33(1),
    signedPreKey: { id: 0, publicKey: key33(2), signature: new Uint8Array(64).fill(3) },
    preKeys: [
      { id: 1, publicKey: key33(4) },
      { id: 2, publicKey: key33(5) },
    ],
  };

  it("round-trips", () => {
    expect(parseBundle(buildBundle(bundle))).toEqual(bundle);
  });

  function withChange(name: string, replace: ReturnType<typeof xml> | undefined) {
    const element = buildBundle(bundle);
    element.children = element.children.filter((c) => typeof c === "string" || c.name !== name);
    if (replace) element.append(replace);
    return element;
  }

  it("refuses a key without the 0x05 type byte or of the wrong length", () => {
    expect(() =>
      parseBundle(withChange("identityKey", xml("identityKey", {}, b64(new Uint8Array(33))))),
    ).toThrow(/0x05-prefixed/);
    expect(() =>
      parseBundle(withChange("identityKey", xml("identityKey", {}, b64(new Uint8Array(32))))),
    ).toThrow(/0x05-prefixed/);
    expect(() =>
      parseBundle(withChange("identityKey", xml("identityKey", {}, b64(new Uint8Array(40))))),
    ).toThrow(/longer than 33/);
  });

  it("refuses missing parts, short signatures and repeated prekey ids", () => {
    expect(() => parseBundle(withChange("identityKey", undefined))).toThrow(
      /identityKey is missing/,
    );
    expect(() => parseBundle(withChange("prekeys", undefined))).toThrow(/no <prekeys>/);
    expect(() =>
      parseBundle(
        withChange(
          "signedPreKeySignature",
          xml("signedPreKeySignature", {}, b64(new Uint8Array(63))),
        ),
      ),
    ).toThrow(/not 64 bytes/);
    const repeated = xml(
      "prekeys",
      {},
      xml("preKeyPublic", { preKeyId: "3" }, b64(key33(1))),
      xml("preKeyPublic", { preKeyId: "3" }, b64(key33(2))),
    );
    expect(() => parseBundle(withChange("prekeys", repeated))).toThrow(/repeats prekey id 3/);
    expect(() =>
      parseBundle(withChange("signedPreKeyPublic", xml("signedPreKeyPublic", {}, b64(key33(1))))),
    ).toThrow(/signedPreKeyId is missing/);
  });

  it("bounds the number of prekeys", () => {
    const many = xml(
      "prekeys",
      {},
      Array.from({ length: 251 }, (_, i) => xml("preKeyPublic", { preKeyId: i }, b64(key33(1)))),
    );
    expect(() => parseBundle(withChange("prekeys", many))).toThrow(/251 prekeys/);
  });
});
