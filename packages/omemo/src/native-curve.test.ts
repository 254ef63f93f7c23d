import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { toArrayBuffer } from "./bytes.js";
import { loadLibsignal } from "./libsignal.js";
import { nativeAgreement, nativeCurve, nativePublicKey } from "./native-curve.js";
import { montgomeryToEdwards } from "./xeddsa-verify.js";

const JITI = fileURLToPath(new URL("../node_modules/.bin/jiti", import.meta.url));
const PROBE = fileURLToPath(new URL("../test/listener-probe.ts", import.meta.url));

const hex = (b: ArrayBuffer | Uint8Array) =>
  Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString("hex");

describe("native curve", () => {
  it("computes the RFC 7748 § 6.1 test vector", () => {
    const alicePriv = Buffer.from(
      "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
      "hex",
    );
    const bobPub = Buffer.from(
      "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
      "hex",
    );
    expect(hex(nativePublicKey(alicePriv).pubKey)).toBe(
      "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
    );
    expect(hex(nativeAgreement(bobPub, alicePriv))).toBe(
      "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
    );
  });

  it("is byte-identical to the library's pure-JS curve on random keys", async () => {
    const { pureCurve } = await loadLibsignal();
    const native = nativeCurve(pureCurve);
    for (let i = 0; i < 40; i++) {
      const privA = toArrayBuffer(randomBytes(32));
      const privB = toArrayBuffer(randomBytes(32));
      const [pureA, nativeA] = [await pureCurve.keyPair(privA), await native.keyPair(privA)];
      const pureB = await pureCurve.keyPair(privB);
      expect(hex(nativeA.pubKey)).toBe(hex(pureA.pubKey));
      expect(hex(nativeA.privKey)).toBe(hex(pureA.privKey));
      expect(hex(await native.sharedSecret(pureB.pubKey, nativeA.privKey))).toBe(
        hex(await pureCurve.sharedSecret(pureB.pubKey, pureA.privKey)),
      );
    }
  });

  it("produces 33-byte 0x05-prefixed keys through libsignal and signatures the pure curve verifies", async () => {
    const { lib, pureCurve } = await loadLibsignal();
    const identity = await lib.KeyHelper.generateIdentityKeyPair();
    expect(identity.pubKey.byteLength).toBe(33);
    expect(new Uint8Array(identity.pubKey)[0]).toBe(5);
    const pure = await pureCurve.keyPair(identity.privKey);
    expect(hex(pure.pubKey)).toBe(hex(identity.pubKey.slice(1)));
    const spk = await lib.KeyHelper.generateSignedPreKey(identity, 1);
    // verify() returns true for an invalid signature.
    expect(
      await pureCurve.verify(identity.pubKey.slice(1), spk.keyPair.pubKey, spk.signature),
    ).toBe(false);
  });

  it("refuses keys of the wrong length and low-order points", async () => {
    const { pureCurve } = await loadLibsignal();
    const native = nativeCurve(pureCurve);
    await expect(native.keyPair(new ArrayBuffer(31))).rejects.toThrow(/32 bytes/);
    await expect(
      native.sharedSecret(new ArrayBuffer(32), toArrayBuffer(randomBytes(32))),
    ).rejects.toThrow();
  });

  it("leaves no process-wide abort handlers behind (the raw library adds two)", async () => {
    const probe = (mode: string) => execFileSync(JITI, [PROBE, mode], { encoding: "utf8" }).trim();
    expect(probe("raw")).toBe("2");
    expect(probe("wrapped")).toBe("0");
  });

  it("accepts keys as Uint8Array views, as the library passes decoded keys", async () => {
    const { pureCurve } = await loadLibsignal();
    const native = nativeCurve(pureCurve);
    const peer = await pureCurve.keyPair(toArrayBuffer(randomBytes(32)));
    const ours = await pureCurve.keyPair(toArrayBuffer(randomBytes(32)));
    const padded = new Uint8Array(40);
    padded.set(new Uint8Array(peer.pubKey), 8);
    const view = padded.subarray(8) as unknown as ArrayBuffer;
    expect(hex(await native.sharedSecret(view, ours.privKey))).toBe(
      hex(await pureCurve.sharedSecret(peer.pubKey, ours.privKey)),
    );
  });
});

describe("native XEdDSA verification", () => {
  it("agrees with the library on valid and tampered signatures", async () => {
    const { pureCurve } = await loadLibsignal();
    const native = nativeCurve(pureCurve);
    for (let i = 0; i < 25; i++) {
      const pair = await pureCurve.keyPair(toArrayBuffer(randomBytes(32)));
      const message = toArrayBuffer(randomBytes(33));
      const signature = await pureCurve.sign(pair.privKey, message);
      expect(await native.verify(pair.pubKey, message, signature)).toBe(false);
      expect(await pureCurve.verify(pair.pubKey, message, signature)).toBe(false);
      for (const at of [0, 31, 40, 63]) {
        const bad = new Uint8Array(signature.slice(0));
        bad[at] = (bad[at] ?? 0) ^ (at === 63 ? 0x80 : 1);
        expect(await native.verify(pair.pubKey, message, bad.buffer)).toBe(true);
        expect(await pureCurve.verify(pair.pubKey, message, bad.buffer)).toBe(true);
      }
      const otherMessage = new Uint8Array(message.slice(0));
      otherMessage[0] = (otherMessage[0] ?? 0) ^ 1;
      expect(await native.verify(pair.pubKey, otherMessage.buffer, signature)).toBe(true);
    }
  });

  it("maps the base point u = 9 to the Ed25519 base point", () => {
    const u = new Uint8Array(32);
    u[0] = 9;
    expect(hex(montgomeryToEdwards(u))).toBe(
      "5866666666666666666666666666666666666666666666666666666666666666",
    );
  });
});
