/**
 * The checks behind the conformance suite, usable on their own: what a
 * plugin leaves in a client (IQ handlers, disco features and identities,
 * stage handlers, timers, listeners, its name), measured with core's
 * `introspect()` and the fake clock's own count of pending timers, and the
 * differences against a client that never had the plugin.
 */
import { type Client, introspect } from "@clawxmpp/core";
import type { FakeClock } from "./fake-clock.js";

/** What plugins can leave behind in a client. */
export interface PluginFootprint {
  plugins: string[];
  iqHandlers: string[];
  discoFeatures: string[];
  discoIdentities: number;
  stageHandlers: Record<string, number>;
  /** Timers the client and its plugins track. */
  timers: number;
  /** Timers scheduled on the clock, tracked or not. */
  clockTimers: number;
  listeners: Record<string, number>;
}

/** Measures `client` (and `clock`, the fake clock it was created with). */
export function footprint(client: Client, clock: FakeClock): PluginFootprint {
  const state = introspect(client);
  return {
    plugins: [...state.plugins],
    iqHandlers: [...state.iqHandlers].sort(),
    discoFeatures: [...state.discoFeatures].sort(),
    discoIdentities: state.discoIdentities,
    stageHandlers: { ...state.stageHandlers },
    timers: state.timers,
    clockTimers: clock.pending(),
    listeners: { ...state.listeners },
  };
}

const extra = (before: readonly string[], after: readonly string[]) =>
  after.filter((item) => !before.includes(item));

function countLeaks(
  what: string,
  before: Record<string, number>,
  after: Record<string, number>,
): string[] {
  const out: string[] = [];
  for (const [key, count] of Object.entries(after)) {
    const left = count - (before[key] ?? 0);
    if (left > 0) out.push(`${left} ${what} "${key}" left`);
  }
  return out;
}

/** Everything `after` holds beyond `baseline`, one line each; empty when nothing leaked. */
export function findLeaks(baseline: PluginFootprint, after: PluginFootprint): string[] {
  const leaks = [
    ...extra(baseline.plugins, after.plugins).map((name) => `plugin "${name}" still in use`),
    ...extra(baseline.iqHandlers, after.iqHandlers).map(
      (h) => `IQ handler "${h}" still registered`,
    ),
    ...extra(baseline.discoFeatures, after.discoFeatures).map(
      (f) => `disco feature "${f}" still advertised`,
    ),
    ...countLeaks("stage handler(s) in", baseline.stageHandlers, after.stageHandlers),
    ...countLeaks("client listener(s) for", baseline.listeners, after.listeners),
  ];
  if (after.discoIdentities > baseline.discoIdentities)
    leaks.push(`${after.discoIdentities - baseline.discoIdentities} disco identity(ies) left`);
  if (after.timers > baseline.timers)
    leaks.push(`${after.timers - baseline.timers} tracked timer(s) left`);
  if (after.clockTimers > baseline.clockTimers)
    leaks.push(`${after.clockTimers - baseline.clockTimers} timer(s) still scheduled on the clock`);
  return leaks;
}

/** Throws an error listing every leak of `after` against `baseline`. */
export function assertNoLeaks(
  baseline: PluginFootprint,
  after: PluginFootprint,
  context: string,
): void {
  const leaks = findLeaks(baseline, after);
  if (leaks.length > 0) {
    throw new Error(`[test] ${context}: ${leaks.length} leak(s):\n  ${leaks.join("\n  ")}`);
  }
}
