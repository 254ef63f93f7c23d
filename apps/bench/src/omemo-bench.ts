/**
 * `bench omemo`: the cost of OMEMO's Curve25519 work with the native
 * curve of `@clawxmpp/omemo` (X25519 and Ed25519 of node:crypto) against
 * libsignal's own pure-JS curve25519-donna (wasm2js), in this process, no
 * server: key generation, agreement, XEdDSA verification, a new device (identity + signed prekey + 100 prekeys) and a
 * session from a bundle, each the median of several timed batches, and the
 * pure/native ratio. Optional flags: `--ops N` (per batch), `--batches N`,
 * `--out FILE` (JSON).
 */
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import {
  type AsyncCurve25519,
  ensureOwnDevice,
  MemoryOmemoStore,
  nativeCurve,
  OmemoSessions,
  ownBundle,
  useCurve,
} from "@clawxmpp/omemo";
import { median, round } from "./stats.js";

interface Row {
  name: string;
  pureMs: number;
  nativeMs: number;
  ratio: number;
}

function flag(argv: string[], name: string, fallback: number): number {
  const index = argv.indexOf(`--${name}`);
  const value = index === -1 ? fallback : Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer`);
  return value;
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
  }
  await useCurve("native");
  return Object.entries(results).map(([name, r]) => ({
    name,
    pureMs: r.pure ?? Number.NaN,
    nativeMs: r.native ?? Number.NaN,
    ratio: (r.pure ?? Number.NaN) / (r.native ?? Number.NaN),
  }));
}

/** Runs the OMEMO bench and prints a Markdown table. */
export async function omemoBench(argv: string[]): Promise<void> {
  const ops = flag(argv, "ops", 200);
  const batches = flag(argv, "batches", 5);
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
