/**
 * `bench omemo2`: OMEMO 2 (`urn:xmpp:omemo:2`, the node:crypto core in
 * `@clawxmpp/omemo`) beside OMEMO 0.3 (libsignal on the native curve). It
 * runs `bench omemo` first (its table is printed as usual) and reuses its
 * native-curve rows, then times the same operations in OMEMO 2 — a new
 * device, a session from a bundle (X3DH + first message), encrypting for a
 * 20-device room (payload + one ratchet step per device), decrypting a stream
 * in order — plus the responder's session setup. OMEMO 2 rows are pure
 * crypto on in-memory sessions; the 0.3 rows include libsignal's store round
 * trips. Same flags as `bench omemo`: `--ops`, `--batches`, `--out FILE`.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  decryptPayload2,
  type EncryptedKey2,
  encryptPayload2,
  generateIdentity,
  generatePreKey2,
  generateSignedPreKey2,
  type IdentityKeyPair,
  OmemoSession2,
  ownBundle2,
  type PreKeyPair2,
  type SignedPreKeyPair2,
} from "@clawxmpp/omemo";
import { intFlag } from "./int-flag.js";
import { omemoBench } from "./omemo-bench.js";
import { median, round } from "./stats.js";

interface Device {
  identity: IdentityKeyPair;
  signedPreKey: SignedPreKeyPair2;
  preKeys: PreKeyPair2[];
}

function newDevice(preKeyCount: number): Device {
  const identity = generateIdentity();
  const preKeys = Array.from({ length: preKeyCount }, (_, i) => generatePreKey2(i + 1));
  return { identity, signedPreKey: generateSignedPreKey2(identity, 1), preKeys };
}

function respond(device: Device, key: EncryptedKey2) {
  return OmemoSession2.respond(
    {
      identity: device.identity,
      signedPreKey: (id) =>
        id === device.signedPreKey.id ? device.signedPreKey.privateKey : undefined,
      preKey: (id) => device.preKeys.find((pk) => pk.id === id)?.privateKey,
    },
    key.data,
  );
}

// Median ms per call over `batches` batches of `ops` calls, after a warm-up batch (synchronous work).
function msPerOp(ops: number, batches: number, run: () => unknown): number {
  const samples: number[] = [];
  for (let b = 0; b <= batches; b++) {
    const start = performance.now();
    for (let i = 0; i < ops; i++) run();
    if (b > 0) samples.push((performance.now() - start) / ops);
  }
  return median(samples);
}

function omemo2Rows(batches: number): Record<string, number> {
  const rows: Record<string, number> = {};
  rows["new device: identity + SPK + 100 prekeys (ms)"] = msPerOp(1, batches, () => newDevice(100));
  const bob = newDevice(20);
  const bundle = ownBundle2(bob.identity, bob.signedPreKey, bob.preKeys);
  const alice = generateIdentity();
  const keyMaterial = encryptPayload2("hi").keyMaterial;
  rows["session from a bundle (ms)"] = msPerOp(5, batches, () =>
    OmemoSession2.initiate(alice, bundle).encrypt(keyMaterial),
  );
  const firsts = Array.from({ length: 5 * (batches + 1) }, () =>
    OmemoSession2.initiate(alice, bundle).encrypt(keyMaterial),
  );
  let nextFirst = 0;
  rows["responder: session from a key exchange (ms)"] = msPerOp(5, batches, () =>
    respond(bob, firsts[nextFirst++] as EncryptedKey2),
  );
  // 20 members, each session answered once so later messages are plain (no key exchange).
  const members = Array.from({ length: 20 }, () => {
    const device = newDevice(5);
    const session = OmemoSession2.initiate(
      alice,
      ownBundle2(device.identity, device.signedPreKey, device.preKeys),
    );
    const { session: theirs } = respond(device, session.encrypt(keyMaterial));
    session.decrypt(theirs.encrypt(keyMaterial).data);
    return { session, theirs };
  });
  rows["encrypt for a 20-device room (ms/message)"] = msPerOp(10, batches, () => {
    const payload = encryptPayload2("hello room");
    for (const member of members) member.session.encrypt(payload.keyMaterial);
  });
  const member = members[0] as (typeof members)[number];
  const stream = Array.from({ length: 50 * (batches + 1) }, (_, i) => {
    const payload = encryptPayload2(`m${i}`);
    return { key: member.session.encrypt(payload.keyMaterial), ciphertext: payload.ciphertext };
  });
  let next = 0;
  rows["decrypt in order (ms/message)"] = msPerOp(50, batches, () => {
    const message = stream[next++] as (typeof stream)[number];
    decryptPayload2(member.theirs.decrypt(message.key.data), message.ciphertext);
  });
  return rows;
}

/** Runs `bench omemo`, then the OMEMO 2 rows beside its native-curve column. */
export async function omemo2Bench(argv: string[]): Promise<void> {
  const batches = intFlag(argv, "batches", 5);
  const dir = await mkdtemp(join(tmpdir(), "omemo2-bench-"));
  try {
    const legacyFile = join(dir, "omemo.json");
    const rest = argv.filter((_, i) => argv[i] !== "--out" && argv[i - 1] !== "--out");
    await omemoBench([...rest, "--out", legacyFile]);
    const legacy = JSON.parse(await readFile(legacyFile, "utf8")) as {
      rows: { name: string; nativeMs: number }[];
    };
    const v2 = omemo2Rows(batches);
    const names = [...new Set([...legacy.rows.map((r) => r.name), ...Object.keys(v2)])].filter(
      (name) => name in v2,
    );
    const rows = names.map((name) => ({
      name,
      omemo03Ms: legacy.rows.find((r) => r.name === name)?.nativeMs ?? Number.NaN,
      omemo2Ms: v2[name] ?? Number.NaN,
    }));
    const lines = [
      "",
      "| operation | OMEMO 0.3 (libsignal, native curve) | OMEMO 2 (node:crypto) | 0.3 / 2 |",
      "| --- | ---: | ---: | ---: |",
      ...rows.map(
        (r) =>
          `| ${r.name} | ${round(r.omemo03Ms, 3)} | ${round(r.omemo2Ms, 3)} | ${round(r.omemo03Ms / r.omemo2Ms, 1)}× |`,
      ),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    const outIndex = argv.indexOf("--out");
    const out = outIndex === -1 ? undefined : argv[outIndex + 1];
    if (out) await writeFile(out, `${JSON.stringify({ batches, legacy, rows }, null, 2)}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
