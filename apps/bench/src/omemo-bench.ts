/**
 * `bench omemo`: the cost of OMEMO work with the native curve of
 * `@clawxmpp/omemo` (X25519 and Ed25519 of node:crypto) against libsignal's
 * own pure-JS curve25519-donna (wasm2js), in this process, no server: key
 * generation, agreement, XEdDSA verification, a new device (identity +
 * signed prekey + 100 prekeys), a session from a bundle, encrypting for a
 * 20-device room and decrypting a stream in order; each the median of
 * several timed batches, and the pure/native ratio. Optional flags:
 * `--ops N` (per batch), `--batches N`, `--out FILE` (JSON).
 */
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import {
  type AsyncCurve25519,
  type EncryptedMessage,
  ensureOwnDevice,
  MemoryOmemoStore,
  nativeCurve,
  OmemoSessions,
  ownBundle,
  useCurve,
} from "@clawxmpp/omemo";
import { intFlag } from "./int-flag.js";
import { median, round } from "./stats.js";

interface Row {
  name: string;
  pureMs: number;
  nativeMs: number;
  ratio: number;
}

// Median per-operation time of `batches` batches of `ops` calls each, after one warm-up batch.
async function perOp(ops: number, batches: number, run: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let b = 0; b <= batches; b++) {
    const start = performance.now();
    for (let i = 0; i < ops; i++) await run();
    if (b > 0) samples.push((performance.now() - start) / ops);
  }
  return median(samples);
}

const privateKey = () => {
  const copy = new ArrayBuffer(32);
  new Uint8Array(copy).set(randomBytes(32));
  return copy;
};

async function curveRows(pure: AsyncCurve25519, ops: number, batches: number): Promise<Row[]> {
  const native = nativeCurve(pure);
  const peer = await pure.keyPair(privateKey());
  const ours = await pure.keyPair(privateKey());
  const rows: Row[] = [];
  const measure = async (name: string, op: (curve: AsyncCurve25519) => Promise<unknown>) => {
    const pureMs = await perOp(ops, batches, () => op(pure));
    const nativeMs = await perOp(ops, batches, () => op(native));
    rows.push({ name, pureMs, nativeMs, ratio: pureMs / nativeMs });
  };
  await measure("key generation (ms/op)", (c) => c.keyPair(privateKey()));
  await measure("agreement (ms/op)", (c) => c.sharedSecret(peer.pubKey, ours.privKey));
  const message = privateKey();
  const signature = await pure.sign(ours.privKey, message);
  await measure("XEdDSA verify (ms/op)", (c) => c.verify(ours.pubKey, message, signature));
  return rows;
}

// Whole-library operations, with libsignal switched between the two curves.
async function libraryRows(batches: number): Promise<Row[]> {
  const results: Record<string, { pure?: number; native?: number }> = {};
  const record = (name: string, kind: "pure" | "native", ms: number) => {
    results[name] = { ...results[name], [kind]: ms };
  };
  for (const kind of ["pure", "native"] as const) {
    await useCurve(kind);
    record(
      "new device: identity + SPK + 100 prekeys (ms)",
      kind,
      await perOp(1, batches, () => ensureOwnDevice(new MemoryOmemoStore())),
    );
    const bob = new MemoryOmemoStore();
    const bobDevice = await ensureOwnDevice(bob, { preKeyCount: 20 });
    const bundle = await ownBundle(bob);
    const alice = new MemoryOmemoStore();
    await ensureOwnDevice(alice, { preKeyCount: 20 });
    const sessions = await OmemoSessions.open(alice);
    let n = 0;
    record(
      "session from a bundle (ms)",
      kind,
      await perOp(5, batches, () =>
        sessions.buildSession(
          { jid: `bob${n++}@bench.example`, deviceId: bobDevice.deviceId },
          bundle,
        ),
      ),
    );
    await roomRows(sessions, batches, (name, ms) => record(name, kind, ms));
  }
  await useCurve("native");
  return Object.entries(results).map(([name, r]) => ({
    name,
    pureMs: r.pure ?? Number.NaN,
    nativeMs: r.native ?? Number.NaN,
    ratio: (r.pure ?? Number.NaN) / (r.native ?? Number.NaN),
  }));
}

// Encrypting for a 20-device room and decrypting a stream, on sessions that have seen a reply.
async function roomRows(
  alice: OmemoSessions,
  batches: number,
  record: (name: string, ms: number) => void,
): Promise<void> {
  const aliceJid = "alice@bench.example";
  const members = [];
  for (let i = 0; i < 20; i++) {
    const store = new MemoryOmemoStore();
    await ensureOwnDevice(store, { preKeyCount: 20 });
    const sessions = await OmemoSessions.open(store);
    const address = { jid: `m${i}@bench.example`, deviceId: sessions.own.deviceId };
    await alice.buildSession(address, await ownBundle(store));
    // One exchange each way, so later messages are normal (not PreKey) messages.
    await sessions.decrypt(aliceJid, (await alice.encrypt([address], "hi")).message);
    const reply = await sessions.encrypt([{ jid: aliceJid, deviceId: alice.own.deviceId }], "hi");
    await alice.decrypt(address.jid, reply.message);
    members.push({ sessions, address });
  }
  const addresses = members.map((m) => m.address);
  record(
    "encrypt for a 20-device room (ms/message)",
    await perOp(10, batches, () => alice.encrypt(addresses, "hello room")),
  );
  const member = members[0] as (typeof members)[number];
  const stream: EncryptedMessage[] = [];
  for (let i = 0; i < 50 * (batches + 1); i++) {
    stream.push((await alice.encrypt([member.address], `m${i}`)).message);
  }
  let next = 0;
  record(
    "decrypt in order (ms/message)",
    await perOp(50, batches, () =>
      member.sessions.decrypt(aliceJid, stream[next++] as EncryptedMessage),
    ),
  );
}

/** Runs the OMEMO bench and prints a Markdown table. */
export async function omemoBench(argv: string[]): Promise<void> {
  const ops = intFlag(argv, "ops", 200);
  const batches = intFlag(argv, "batches", 5);
  const { loadLibsignal } = await import("@clawxmpp/omemo");
  const { pureCurve } = await loadLibsignal();
  const rows = [...(await curveRows(pureCurve, ops, batches)), ...(await libraryRows(batches))];
  const lines = [
    "| operation | pure-JS curve | native (node:crypto) | pure / native |",
    "| --- | ---: | ---: | ---: |",
    ...rows.map(
      (r) =>
        `| ${r.name} | ${round(r.pureMs, 3)} | ${round(r.nativeMs, 3)} | ${round(r.ratio, 1)}× |`,
    ),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  const outIndex = argv.indexOf("--out");
  const out = outIndex === -1 ? undefined : argv[outIndex + 1];
  if (out) {
    const machine = { node: process.version, cpu: cpus()[0]?.model, cores: cpus().length };
    await writeFile(out, `${JSON.stringify({ ops, batches, machine, rows }, null, 2)}\n`);
  }
}
