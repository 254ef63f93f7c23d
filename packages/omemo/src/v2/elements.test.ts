import { xml } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { refusal } from "../../test/refusal.js";
import { buildBundle2, parseBundle2 } from "./bundle-element.js";
import {
  buildDeviceList2,
  parseDeviceList2,
  signDeviceLabel,
  verifyDeviceLabel,
} from "./device-list.js";
import { buildEncrypted2, findEncrypted2, parseEncrypted2 } from "./encrypted-element.js";
import { generateIdentity } from "./identity-key.js";
import { NS_OMEMO2 } from "./namespaces.js";
import { generatePreKey2, generateSignedPreKey2, ownBundle2 } from "./own-keys.js";

const b64 = (n: number) => Buffer.alloc(n, 1).toString("base64");

describe("OMEMO 2 device lists", () => {
  it("round-trips ids, labels and signed labels; verifies the label signature", () => {
    const identity = generateIdentity();
    const labelSignature = signDeviceLabel(identity, "bot");
    const element = buildDeviceList2([1, { id: 2, label: "bot", labelSignature }, 1]);
    expect(element.toString()).toContain(`<devices xmlns="${NS_OMEMO2}">`);
    const parsed = parseDeviceList2(element);
    expect(parsed.map((d) => d.id)).toEqual([1, 2]);
    expect(verifyDeviceLabel(identity.publicKey, parsed[1] ?? { id: 0 })).toBe(true);
    expect(
      verifyDeviceLabel(identity.publicKey, { ...(parsed[1] ?? { id: 0 }), label: "evil" }),
    ).toBe(false);
    expect(verifyDeviceLabel(identity.publicKey, { id: 1, label: "unsigned" })).toBe(false);
  });

  it("refuses hostile lists", () => {
    const list = (...devices: Record<string, string>[]) =>
      xml("devices", { xmlns: NS_OMEMO2 }, ...devices.map((attrs) => xml("device", attrs)));
    expect(refusal(() => parseDeviceList2(list({ id: "0" })))).toMatch(/outside/);
    expect(refusal(() => parseDeviceList2(list({ id: "12a" })))).toMatch(/not a decimal/);
    expect(refusal(() => parseDeviceList2(list({ id: "1", labelsig: "!!" })))).toMatch(/base64/);
    expect(refusal(() => parseDeviceList2(list({ id: "1", label: "x".repeat(500) })))).toMatch(
      /^too-large/,
    );
    const many = Array.from({ length: 201 }, (_, i) => ({ id: String(i + 1) }));
    expect(refusal(() => parseDeviceList2(list(...many)))).toMatch(/^too-large/);
    expect(refusal(() => parseDeviceList2(xml("list", { xmlns: NS_OMEMO2 })))).toMatch(
      /expected <devices/,
    );
  });
});

describe("OMEMO 2 bundles", () => {
  it("round-trips our own bundle", () => {
    const identity = generateIdentity();
    const bundle = ownBundle2(identity, generateSignedPreKey2(identity, 3), [
      generatePreKey2(1),
      generatePreKey2(2),
    ]);
    const element = buildBundle2(bundle);
    expect(element.getChild("spk", NS_OMEMO2)?.attrs.id).toBe("3");
    expect(parseBundle2(element)).toEqual(bundle);
  });

  it("refuses wrong key sizes, duplicates and oversized bundles", () => {
    const bundle = (ik: string, pks: { id: string; key: string }[], extra: unknown[] = []) =>
      xml(
        "bundle",
        { xmlns: NS_OMEMO2 },
        xml("spk", { id: "1" }, b64(32)),
        xml("spks", {}, b64(64)),
        xml("ik", {}, ik),
        xml("prekeys", {}, ...pks.map((pk) => xml("pk", { id: pk.id }, pk.key))),
        ...(extra as never[]),
      );
    expect(refusal(() => parseBundle2(bundle(b64(32), [{ id: "1", key: b64(32) }])))).toBe(
      "accepted",
    );
    expect(refusal(() => parseBundle2(bundle(b64(33), [])))).toMatch(/^too-large: .*ik/);
    expect(refusal(() => parseBundle2(bundle(b64(31), [])))).toMatch(/ik is 31 bytes/);
    expect(
      refusal(() =>
        parseBundle2(
          bundle(b64(32), [
            { id: "1", key: b64(32) },
            { id: "1", key: b64(32) },
          ]),
        ),
      ),
    ).toMatch(/repeats prekey id 1/);
    const many = Array.from({ length: 251 }, (_, i) => ({ id: String(i), key: b64(32) }));
    expect(refusal(() => parseBundle2(bundle(b64(32), many)))).toMatch(/^too-large/);
    expect(refusal(() => parseBundle2(bundle(b64(32), [], [xml("ik", {}, b64(32))])))).toMatch(
      /2 <ik>/,
    );
  });
});

describe("OMEMO 2 <encrypted>", () => {
  it("round-trips keys grouped per JID, kex flags and the payload", () => {
    const message = {
      sid: 5,
      keys: [
        { jid: "alice@example.org", rid: 1, kex: true, data: Uint8Array.of(1, 2) },
        { jid: "bob@example.org", rid: 2, kex: false, data: Uint8Array.of(3) },
        { jid: "alice@example.org", rid: 3, kex: false, data: Uint8Array.of(4) },
      ],
      payload: Uint8Array.of(9, 9),
    };
    const stanza = xml("message", {}, buildEncrypted2(message));
    const element = findEncrypted2(stanza);
    expect(element?.getChild("header", NS_OMEMO2)?.getChildren("keys", NS_OMEMO2)).toHaveLength(2);
    const parsed = parseEncrypted2(element ?? xml("x"));
    expect(parsed.sid).toBe(5);
    expect(parsed.payload).toEqual(message.payload);
    expect(parsed.keys).toEqual(
      expect.arrayContaining(message.keys.map((key) => expect.objectContaining({ ...key }))),
    );
    expect(parseEncrypted2(buildEncrypted2({ sid: 1, keys: [] })).payload).toBeUndefined();
  });

  it("refuses hostile headers", () => {
    const encrypted = (keys: unknown[], sid = "1") =>
      xml("encrypted", { xmlns: NS_OMEMO2 }, xml("header", { sid }, ...(keys as never[])));
    const key = (rid: string, kex?: string) => xml("key", { rid, kex }, "AQ==");
    expect(
      refusal(() => parseEncrypted2(encrypted([xml("keys", { jid: "a@b" }, key("1"), key("1"))]))),
    ).toMatch(/two keys/);
    expect(
      refusal(() => parseEncrypted2(encrypted([xml("keys", { jid: "a@b" }, key("1", "maybe"))]))),
    ).toMatch(/not a boolean/);
    expect(
      refusal(() => parseEncrypted2(encrypted([xml("keys", { jid: "@" }, key("1"))]))),
    ).toMatch(/not a JID/);
    expect(refusal(() => parseEncrypted2(encrypted([], "x")))).toMatch(/sid/);
    const many = Array.from({ length: 501 }, (_, i) => key(String(i + 1)));
    expect(
      refusal(() => parseEncrypted2(encrypted([xml("keys", { jid: "a@b" }, ...many)]))),
    ).toMatch(/^too-large/);
    expect(refusal(() => parseEncrypted2(xml("encrypted", { xmlns: NS_OMEMO2 })))).toMatch(
      /no <header>/,
    );
  });
});
