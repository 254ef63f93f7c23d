/**
 * A Curve25519 backend for libsignal (`setCurve()`) on Node's native X25519
 * (RFC 7748 § 5): key pairs and agreement run in OpenSSL instead of the
 * library's wasm2js curve25519-donna (5–13 ms per operation there, ~0.1 ms
 * here). Outputs are byte-identical to the library's: private keys are
 * clamped the same way and returned clamped, public keys are the raw 32
 * bytes (the library adds the 0x05 type byte itself).
 *
 * XEdDSA verification (the signed prekey of every bundle we build a session
 * from) runs on native Ed25519 (xeddsa-verify.ts); XEdDSA signing has no
 * native equivalent and stays with the library's implementation (`fallback`).
 */
import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from "node:crypto";
import { toArrayBuffer } from "./bytes.js";
import { xeddsaVerify } from "./xeddsa-verify.js";

/** The shape libsignal's `setCurve()` accepts (curve25519-typescript's `AsyncCurve`). */
export interface AsyncCurve25519 {
  keyPair(privKey: ArrayBuffer): Promise<{ pubKey: ArrayBuffer; privKey: ArrayBuffer }>;
  sharedSecret(pubKey: ArrayBuffer, privKey: ArrayBuffer): Promise<ArrayBuffer>;
  sign(privKey: ArrayBuffer, message: ArrayBuffer): Promise<ArrayBuffer>;
  /** Returns true when the signature is INVALID (the library's convention). */
  verify(pubKey: ArrayBuffer, message: ArrayBuffer, sig: ArrayBuffer): Promise<boolean>;
}

/** Clamps a scalar as RFC 7748 § 5 and curve25519-donna do; returns a copy. */
export function clampPrivateKey(privKey: Uint8Array): Uint8Array {
  const clamped = new Uint8Array(privKey);
  clamped[0] = (clamped[0] ?? 0) & 248;
  clamped[31] = ((clamped[31] ?? 0) & 127) | 64;
  return clamped;
}

// Imported as JWK: OpenSSL derives the public key from `d` and ignores `x`; DER/PKCS#8 import costs ~8×.
const DUMMY_X = Buffer.alloc(32).toString("base64url");

function privateKeyObject(privKey: Uint8Array): KeyObject {
  return createPrivateKey({
    key: { kty: "OKP", crv: "X25519", d: Buffer.from(privKey).toString("base64url"), x: DUMMY_X },
    format: "jwk",
  });
}

// The library hands over ArrayBuffers or, for keys decoded from protobuf, Uint8Array views.
function checkLength(key: ArrayBuffer | ArrayBufferView, what: string): Uint8Array {
  const bytes = ArrayBuffer.isView(key)
    ? new Uint8Array(key.buffer, key.byteOffset, key.byteLength)
    : key instanceof ArrayBuffer
      ? new Uint8Array(key)
      : undefined;
  if (bytes?.length !== 32) throw new Error(`Invalid ${what}: expected 32 bytes`);
  return bytes;
}

function bytesOf(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}

/** Computes the X25519 public key (32 raw bytes) of a private key, after clamping. */
export function nativePublicKey(privKey: Uint8Array): { pubKey: Uint8Array; privKey: Uint8Array } {
  const clamped = clampPrivateKey(privKey);
  const jwk = createPublicKey(privateKeyObject(clamped)).export({ format: "jwk" });
  return { pubKey: new Uint8Array(Buffer.from(jwk.x as string, "base64url")), privKey: clamped };
}

/** X25519(privKey, pubKey), both 32 raw bytes. Throws on a low-order public key (all-zero result). */
export function nativeAgreement(pubKey: Uint8Array, privKey: Uint8Array): Uint8Array {
  const publicKey = createPublicKey({
    key: { kty: "OKP", crv: "X25519", x: Buffer.from(pubKey).toString("base64url") },
    format: "jwk",
  });
  return new Uint8Array(diffieHellman({ privateKey: privateKeyObject(privKey), publicKey }));
}

/**
 * The hybrid curve: native X25519 for key pairs and agreement, native
 * Ed25519 for XEdDSA verification, `fallback` (the library's curve) for signing.
 */
export function nativeCurve(fallback: Pick<AsyncCurve25519, "sign">): AsyncCurve25519 {
  return {
    async keyPair(privKey) {
      const pair = nativePublicKey(checkLength(privKey, "private key"));
      return { pubKey: toArrayBuffer(pair.pubKey), privKey: toArrayBuffer(pair.privKey) };
    },
    async sharedSecret(pubKey, privKey) {
      const secret = nativeAgreement(
        checkLength(pubKey, "public key"),
        checkLength(privKey, "private key"),
      );
      return toArrayBuffer(secret);
    },
    sign: (privKey, message) => fallback.sign(privKey, message),
    // The library's convention: true means INVALID.
    async verify(pubKey, message, sig) {
      return !xeddsaVerify(checkLength(pubKey, "public key"), bytesOf(message), bytesOf(sig));
    },
  };
}
