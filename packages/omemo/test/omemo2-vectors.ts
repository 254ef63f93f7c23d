/** Loads the checked-in python-made vectors (test-vectors/omemo2-vectors.json) for the known-answer tests. */
import { readFileSync } from "node:fs";
import type { RandomSource } from "../src/v2/primitives.js";

/** One prekey of the transcript's responder. */
export interface VectorPreKey {
  id: number;
  private: string;
  public: string;
}

/** A transcript step: a party sends (python's bytes in `data`)… */
export interface SendStep {
  op: "send";
  label: string;
  from: "alice" | "bob";
  kex: boolean;
  data: string;
  keyMaterial: string;
  /** Payload key, plaintext and `<payload>`; null for an empty OMEMO message. */
  payloadKey: string | null;
  plaintext: string | null;
  ciphertext: string | null;
}

/** …or receives a message sent earlier. */
export interface ReceiveStep {
  op: "receive";
  label: string;
  by: "alice" | "bob";
  keyMaterial: string;
}

/** One protobuf encoding made by python-protobuf. */
export type ProtobufVector =
  | {
      kind: "OMEMOMessage";
      bytes: string;
      n: number;
      pn: number;
      dhPub: string;
      ciphertext?: string;
    }
  | { kind: "OMEMOAuthenticatedMessage"; bytes: string; mac: string; message: string }
  | {
      kind: "OMEMOKeyExchange";
      bytes: string;
      pkId: number;
      spkId: number;
      ik: string;
      ek: string;
      message: string;
    };

/** The shape of test-vectors/omemo2-vectors.json (all byte strings base64). */
export interface Omemo2Vectors {
  primitives: {
    identity: {
      seed: string;
      ed25519Public: string;
      x25519Private: string;
      x25519Public: string;
      x25519FromEd25519: string;
      message: string;
      seedSignature: string;
      privSignature: string;
    }[];
    hkdf: { info: string; ikm: string; salt: string; length: number; okm: string }[];
    payload: { plaintext: string; key: string; ciphertext: string; keyMaterial: string }[];
    aead: {
      messageKey: string;
      associatedData: string;
      n: number;
      pn: number;
      dhPub: string;
      plaintext: string;
      authenticated: string;
    }[];
    protobuf: ProtobufVector[];
  };
  transcript: {
    alice: { seed: string; identityKey: string };
    bob: {
      seed: string;
      identityKey: string;
      signedPreKey: { id: number; private: string; public: string; signature: string };
      preKeys: VectorPreKey[];
    };
    chosenPreKeyId: number;
    x3dh: { sharedSecret: string; associatedData: string; ephemeralPublic: string };
    aliceAfterInit: { rootKey: string; sendingChainKey: string };
    steps: (SendStep | ReceiveStep)[];
    random: { alice: string[]; bob: string[] };
  };
}

export const vectors: Omemo2Vectors = JSON.parse(
  readFileSync(new URL("../test-vectors/omemo2-vectors.json", import.meta.url), "utf8"),
);

/** Base64 → bytes. */
export function unb64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "base64"));
}

/** Bytes → base64. */
export function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

/** A RandomSource handing out recorded values in order; fails when the code asks for more or other sizes. */
export function replay(values: readonly string[]): RandomSource & { remaining(): number } {
  const queue = values.map(unb64);
  const source = (length: number): Uint8Array => {
    const next = queue.shift();
    if (!next) throw new Error("replayed randomness exhausted");
    if (next.length !== length)
      throw new Error(`replayed randomness: asked ${length} bytes, recorded ${next.length}`);
    return next;
  };
  return Object.assign(source, { remaining: () => queue.length });
}
