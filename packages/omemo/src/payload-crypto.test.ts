import { createDecipheriv } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptPayload, decryptPayloadText, encryptPayload } from "./payload-crypto.js";

describe("payload crypto", () => {
  it("round-trips with a 12-byte IV and 32 bytes of key ‖ tag", () => {
    const sealed = encryptPayload("héllo 🌍");
    expect(sealed.iv.length).toBe(12);
    expect(sealed.keyAndTag.length).toBe(32);
    expect(sealed.ciphertext.length).toBe(Buffer.byteLength("héllo 🌍"));
    expect(decryptPayloadText(sealed.keyAndTag, sealed.iv, sealed.ciphertext)).toBe("héllo 🌍");
  });

  it("is plain AES-128-GCM with the tag after the key (what other clients compute)", () => {
    const sealed = encryptPayload("abc");
    const d = createDecipheriv("aes-128-gcm", sealed.keyAndTag.subarray(0, 16), sealed.iv);
    d.setAuthTag(sealed.keyAndTag.subarray(16));
    expect(Buffer.concat([d.update(sealed.ciphertext), d.final()]).toString()).toBe("abc");
  });

  it("refuses a tampered tag, ciphertext or IV", () => {
    const sealed = encryptPayload("secret");
    const badTag = new Uint8Array(sealed.keyAndTag);
    badTag[31] = (badTag[31] ?? 0) ^ 1;
    expect(() => decryptPayload(badTag, sealed.iv, sealed.ciphertext)).toThrow(
      expect.objectContaining({ condition: "bad-tag" }),
    );
    const badCt = new Uint8Array(sealed.ciphertext);
    badCt[0] = (badCt[0] ?? 0) ^ 1;
    expect(() => decryptPayload(sealed.keyAndTag, sealed.iv, badCt)).toThrow(/authentication/);
    const badIv = new Uint8Array(sealed.iv);
    badIv[0] = (badIv[0] ?? 0) ^ 1;
    expect(() => decryptPayload(sealed.keyAndTag, badIv, sealed.ciphertext)).toThrow(
      /authentication/,
    );
  });

  it("refuses key material without the tag", () => {
    const sealed = encryptPayload("x");
    expect(() =>
      decryptPayload(sealed.keyAndTag.subarray(0, 16), sealed.iv, sealed.ciphertext),
    ).toThrow(expect.objectContaining({ condition: "malformed" }));
  });

  it("accepts a 16-byte IV from other senders", async () => {
    const { createCipheriv, randomBytes } = await import("node:crypto");
    const key = randomBytes(16);
    const iv = randomBytes(16);
    const c = createCipheriv("aes-128-gcm", key, iv);
    const ct = Buffer.concat([c.update("sixteen"), c.final()]);
    const keyAndTag = Buffer.concat([key, c.getAuthTag()]);
    expect(decryptPayloadText(keyAndTag, iv, ct)).toBe("sixteen");
  });
});
