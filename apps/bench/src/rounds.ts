/**
 * Interleaved rounds: the echo and throughput workers run core, xmpp.js, xmpp.js + NODELAY, then
 * again in the same order, so a slow spell of the machine (or of the server's garbage collector)
 * falls on every client instead of on whichever ran during it. Single runs of the same client
 * moved ±30 % here; the reported figure is the median over rounds, and each round's ratio is kept.
 */
import type { Variant } from "./drivers.js";
import { median } from "./stats.js";
import type { EchoResult, ThroughputResult } from "./tasks.js";

/** One round's echo and throughput for one client. */
export interface RoundResult {
  echo: EchoResult;
  throughput: ThroughputResult;
}

/** Median of each echo figure over the rounds; counts are summed. */
export function mergeEcho(rounds: readonly EchoResult[]): EchoResult {
  return {
    medianMs: median(rounds.map((r) => r.medianMs)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    meanMs: median(rounds.map((r) => r.meanMs)),
    measured: rounds.reduce((n, r) => n + r.measured, 0),
    lost: rounds.reduce((n, r) => n + r.lost, 0),
    unexpected: rounds.reduce((n, r) => n + r.unexpected, 0),
  };
}

/** Median over the rounds of each round's median burst; every burst is kept. */
export function mergeThroughput(rounds: readonly ThroughputResult[]): ThroughputResult {
  const server = rounds.flatMap((r) =>
    r.serverCpuMicrosPerMessage === undefined ? [] : [r.serverCpuMicrosPerMessage],
  );
  return {
    messagesPerSecond: median(rounds.map((r) => r.messagesPerSecond)),
    cpuMicrosPerMessage: median(rounds.map((r) => r.cpuMicrosPerMessage)),
    ...(server.length === rounds.length && server.length > 0
      ? { serverCpuMicrosPerMessage: median(server) }
      : {}),
    runs: rounds.flatMap((r) => r.runs),
  };
}

/** Core ÷ `baseline` per round, for the figures where the same round has both. */
export interface RoundRatios {
  echoMedian: number[];
  echoP99: number[];
  throughput: number[];
}

/** Each round's core ÷ baseline ratios (rounds where either side failed are left out). */
export function roundRatios(
  perRound: Partial<Record<Variant, (RoundResult | undefined)[]>>,
  baseline: Variant,
): RoundRatios {
  const core = perRound.core ?? [];
  const base = perRound[baseline] ?? [];
  const out: RoundRatios = { echoMedian: [], echoP99: [], throughput: [] };
  for (let i = 0; i < Math.min(core.length, base.length); i++) {
    const c = core[i];
    const b = base[i];
    if (!c || !b) continue;
    out.echoMedian.push(c.echo.medianMs / b.echo.medianMs);
    out.echoP99.push(c.echo.p99Ms / b.echo.p99Ms);
    out.throughput.push(c.throughput.messagesPerSecond / b.throughput.messagesPerSecond);
  }
  return out;
}
