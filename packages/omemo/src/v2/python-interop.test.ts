/**
 * Live interop with python-twomemo (Debian python3-twomemo): our initiator's
 * messages, key exchanges and payloads go to a python responder built on the
 * unmodified library (test-vectors/omemo2-python-peer.py), delivered out of
 * order; python's replies come back and we decrypt them. Skipped when the
 * python stack is absent (the checked-in vectors in known-answer.test.ts
 * cover the python → us direction everywhere); `scripts/lib.sh
 * ensure_test_peers` installs it for CI.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { generateIdentity } from "./identity-key.js";
import { generatePreKey2, generateSignedPreKey2, ownBundle2 } from "./own-keys.js";
import { decryptPayload2, encryptPayload2 } from "./payload.js";
import { OmemoSession2 } from "./session.js";

const PYTHON = "/usr/bin/python3";
const PEER = new URL("../../test-vectors/omemo2-python-peer.py", import.meta.url).pathname;
const available = spawnSync(PYTHON, ["-c", "import twomemo"], { timeout: 20_000 }).status === 0;
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");

describe.skipIf(!available)("OMEMO 2 interop with python-twomemo (live)", () => {
  it("python decrypts our messages out of order, and we decrypt python's replies", () => {
    const bob = generateIdentity();
    const signedPreKey = generateSignedPreKey2(bob, 7);
    const preKeys = [11, 12, 13].map((id) => generatePreKey2(id));
    const alice = generateIdentity();
    const session = OmemoSession2.initiate(alice, ownBundle2(bob, signedPreKey, preKeys));
    const texts = ["first", "second ✓", "third: a longer message that spans blocks", "fourth"];
    const sent = texts.map((text) => {
      const payload = encryptPayload2(text);
      const key = session.encrypt(payload.keyMaterial);
      return { data: b64(key.data), kex: key.kex, ciphertext: b64(payload.ciphertext), text };
    });
    const order = [0, 2, 1, 3];
    const replies = ["reply one", "reply two"];
    const run = spawnSync(PYTHON, [PEER], {
      input: JSON.stringify({
        responder: {
          seed: b64(bob.seed),
          signedPreKey: {
            private: b64(signedPreKey.privateKey),
            public: b64(signedPreKey.publicKey),
            signature: b64(signedPreKey.signature),
          },
          preKeys: preKeys.map((pk) => ({
            id: pk.id,
            private: b64(pk.privateKey),
            public: b64(pk.publicKey),
          })),
        },
        messages: order.map((i) => sent[i]),
        replies: replies.map((text) => b64(Buffer.from(text))),
      }),
      timeout: 30_000,
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    const result = JSON.parse(run.stdout) as {
      plaintexts: string[];
      replies: { data: string; ciphertext: string }[];
    };
    expect(result.plaintexts.map((p) => Buffer.from(p, "base64").toString("utf8"))).toEqual(
      order.map((i) => texts[i]),
    );
    expect(sent.every((message) => message.kex)).toBe(true);
    const decrypted = [...result.replies].reverse().map((reply) => {
      const keyMaterial = session.decrypt(new Uint8Array(Buffer.from(reply.data, "base64")));
      return Buffer.from(
        decryptPayload2(keyMaterial, new Uint8Array(Buffer.from(reply.ciphertext, "base64"))),
      ).toString();
    });
    expect(decrypted).toEqual([...replies].reverse());
    expect(session.confirmed).toBe(true);
    expect(session.encrypt(encryptPayload2("after").keyMaterial).kex).toBe(false);
  });
});
