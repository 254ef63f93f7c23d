/**
 * Fuzz suite (issue #18): 10,000 mutated message, presence and IQ stanzas fed
 * through the fake transport into a client with every plugin loaded, online
 * with XEP-0198. No exception may escape, no rejection go unhandled; the
 * client stays online and answering, and the heap returns to its level after
 * the warm-up. `pnpm bench fuzz` runs the same engine for 100,000 cases.
 * A different seed: `FUZZ_SEED=7 pnpm exec vitest run test/fuzz.test.ts`.
 */
import { describe, expect, it } from "vitest";
import { type FuzzReport, runFuzz } from "../src/fuzz/index.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const CASES = Number(process.env.FUZZ_CASES ?? 10_000);
/** Bounded caches (dedupe, ids, occupants) may still be filling after the warm-up. */
const HEAP_TOLERANCE = 8 * 1024 * 1024;

function summary(report: FuzzReport): string {
  return JSON.stringify(
    {
      ...report,
      findings: report.findings.map((f) => ({ ...f, examples: f.examples.slice(0, 1) })),
    },
    null,
    2,
  );
}

describe("fuzz: mutated stanzas into a client with every plugin", () => {
  let report: FuzzReport;

  it(`runs ${CASES} cases (seed ${SEED})`, { timeout: 180_000 }, async () => {
    report = await runFuzz({ seed: SEED, cases: CASES });
    process.stdout.write(
      `fuzz: ${report.cases} cases, ${report.casesPerSecond} cases/s, ${report.crashes} crashes, ` +
        `${report.unhandledRejections} unhandled rejections, heap ${(report.heap.before / 1048576).toFixed(1)} → ` +
        `${(report.heap.after / 1048576).toFixed(1)} MiB\n`,
    );
    expect(report.cases).toBe(CASES);
  });

  it("no exception escaped and no error was logged by the core or a plugin", () => {
    expect(report.crashes, summary(report)).toBe(0);
  });

  it("no promise rejection went unhandled", () => {
    expect(report.unhandledRejections, summary(report)).toBe(0);
  });

  it("the client stayed online and answering through every round, drops included", () => {
    expect(report.unhealthyRounds, summary(report)).toBe(0);
    expect(report.drops.resumed).toBeGreaterThan(0);
    expect(report.drops.reconnected).toBeGreaterThan(0);
  });

  it("afterwards it answers a ping and delivers a normal message", () => {
    expect(report.final).toEqual({ online: true, ping: true, message: true });
  });

  it("the heap returns to its level after the warm-up", () => {
    expect(report.heap.growth, summary(report)).toBeLessThan(HEAP_TOLERANCE);
  });
});
