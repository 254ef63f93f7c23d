/**
 * `pnpm bench fuzz`: the fuzz engine of `@clawxmpp/integration` for 100,000
 * cases (issue #18), with the heap measured after a full GC (`--expose-gc`;
 * the command re-runs itself with the flag when Node was started without).
 * Prints cases/s, crashes, unhandled rejections, memory before and after,
 * and every distinct finding with an example case; exits 1 on any finding.
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { type FuzzReport, runFuzz } from "@clawxmpp/integration/fuzz";

/** Heap growth tolerated between the warm-up and the end, in bytes. */
const HEAP_TOLERANCE = 8 * 1024 * 1024;

/** Runs the fuzz command with `argv` (after `fuzz`); resolves with the exit code. */
export async function fuzzCommand(argv: string[]): Promise<number> {
  if ((globalThis as { gc?: unknown }).gc === undefined) {
    const script = process.argv[1] as string;
    const child = spawnSync(process.execPath, ["--expose-gc", script, "fuzz", ...argv], {
      stdio: "inherit",
    });
    return child.status ?? 1;
  }
  const { values } = parseArgs({
    args: argv,
    options: { cases: { type: "string" }, seed: { type: "string" } },
    strict: true,
  });
  const cases = positive(values.cases ?? process.env.BENCH_FUZZ_CASES ?? "100000", "--cases");
  const seed = positive(
    values.seed ?? process.env.BENCH_FUZZ_SEED ?? String(Date.now() % 1e9),
    "--seed",
  );
  process.stderr.write(`[fuzz] ${cases} cases, seed ${seed}\n`);
  const report = await runFuzz({
    cases,
    seed,
    // Bounded caches (dedupe ids, per-peer state) take ~20,000 varied cases to fill; measure after.
    warmup: Math.min(20_000, Math.floor(cases / 5)),
    heapSampleEvery: 10_000,
    onProgress: (done) => {
      if (done % 10_000 === 0) process.stderr.write(`[fuzz] ${done} cases\n`);
    },
  });
  process.stdout.write(format(report));
  const failed =
    report.crashes > 0 ||
    report.unhandledRejections > 0 ||
    report.unhealthyRounds > 0 ||
    !report.final.ping ||
    !report.final.message ||
    report.heap.growth > HEAP_TOLERANCE;
  return failed ? 1 : 0;
}

function positive(raw: string, flag: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer`);
  return value;
}

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

function format(report: FuzzReport): string {
  const lines = [
    "",
    `seed                 ${report.seed} (repeat: pnpm bench fuzz --seed ${report.seed} --cases ${report.cases})`,
    `cases                ${report.cases}`,
    `cases/s              ${report.casesPerSecond}`,
    `crashes              ${report.crashes}`,
    `unhandled rejections ${report.unhandledRejections}`,
    `unhealthy rounds     ${report.unhealthyRounds}`,
    `drops                ${report.drops.resumed} resumed, ${report.drops.reconnected} new sessions`,
    `after the run        online ${report.final.online}, ping ${report.final.ping}, message ${report.final.message}`,
    `heap (after GC)      ${mib(report.heap.before)} → ${mib(report.heap.after)} (${report.heap.growth >= 0 ? "+" : ""}${mib(report.heap.growth)})`,
    `heap every 10,000    ${report.heap.samples.map(mib).join(", ")}`,
    `delivered            ${Object.entries(report.delivered)
      .map(([event, n]) => `${event} ${n}`)
      .join(", ")}`,
  ];
  const warnings = Object.entries(report.warnings).sort((a, b) => b[1] - a[1]);
  if (warnings.length > 0)
    lines.push("", "warnings (handled trouble, logged by the core and plugins):");
  for (const [message, count] of warnings.slice(0, 15))
    lines.push(`  ${String(count).padStart(6)}  ${message}`);
  for (const finding of report.findings) {
    lines.push("", `finding: ${finding.kind} ×${finding.count}: ${finding.message}`);
    for (const example of finding.examples.slice(0, 1)) {
      lines.push(
        `  case ${example.index} (${example.seedName}; ${example.mutations.join(", ") || "unmutated"})`,
        `  ${example.stanza}`,
        `  ${example.detail.split("\n").slice(0, 8).join("\n  ")}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
