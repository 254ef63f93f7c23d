/**
 * The fuzz engine: feeds mutated stanzas (see `fuzz-case.ts`) one by one
 * into the composed client (see `target.ts`) and checks, per case and per
 * round, that no exception escapes, no promise rejection goes unhandled, and
 * the client stays online and answers a ping. Every few rounds the
 * connection is dropped and resumed (XEP-0198), or dropped for a new
 * session. At the end it checks that a ping is answered and a normal
 * message delivered, and compares the heap after a GC with the level
 * measured after the warm-up.
 */
import { setImmediate as nextMacrotask } from "node:timers/promises";
import type { PluginUse } from "@clawxmpp/test";
import { FakePeer } from "./fake-peer.js";
import { type Finding, Findings } from "./findings.js";
import { type FuzzCase, fuzzCase } from "./fuzz-case.js";
import { defaultScene } from "./scene.js";
import {
  bringOnline,
  type FinalCheck,
  finalChecks,
  healthyRound,
  measure,
  startOnline,
} from "./session-checks.js";
import { createFuzzTarget } from "./target.js";

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  /** Number of cases. */
  cases: number;
  /** Seed of the run; the same seed gives the same cases. @default 1 */
  seed?: number;
  /** Cases per round (between two full settles, pings and server answers). @default 50 */
  roundSize?: number;
  /** Cases fed before the start heap is measured (caches fill up to their bounds). @default min(1000, cases / 10) */
  warmup?: number;
  /** Rounds between two connection drops (alternating resume and new session); 0 never. @default 20 */
  dropEvery?: number;
  /** Also measure the heap (after GC) every this many cases, to tell a plateau from a leak; 0 never. @default 0 */
  heapSampleEvery?: number;
  /** More plugins to load (the engine's own tests use a faulty one to show findings are caught). */
  plugins?: readonly PluginUse[];
  /** Called after each round with the number of cases done. */
  onProgress?: (done: number) => void;
}

/** What a run found and measured. */
export interface FuzzReport {
  seed: number;
  cases: number;
  durationMs: number;
  casesPerSecond: number;
  /** Exceptions escaping `receive()`, errors logged by the core or a plugin, uncaught exceptions. */
  crashes: number;
  unhandledRejections: number;
  /** Rounds after which the client was offline or did not answer a ping. */
  unhealthyRounds: number;
  findings: Finding[];
  /** Events emitted by the client and plugins during the run (how deep the cases reached). */
  delivered: Record<string, number>;
  /** Warnings the core and plugins logged (handled trouble), by message. */
  warnings: Record<string, number>;
  /** Connection drops: resumed and new sessions. */
  drops: { resumed: number; reconnected: number };
  /** After the run: the client answered a ping and delivered a normal message. */
  final: FinalCheck;
  /** `heapUsed` after GC, after the warm-up and after the run, in bytes; `samples` every `heapSampleEvery` cases. */
  heap: { before: number; after: number; growth: number; samples: number[] };
}

/** Runs `cases` fuzz cases against a fresh composed client. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const seed = options.seed ?? 1;
  const roundSize = options.roundSize ?? 50;
  const warmup = Math.min(
    options.warmup ?? Math.min(1_000, Math.floor(options.cases / 10)),
    options.cases,
  );
  const dropEvery = options.dropEvery ?? 20;
  const scene = defaultScene();
  const target = await createFuzzTarget(scene, options.plugins);
  const peer = new FakePeer(target, scene);
  const findings = new Findings();
  let current: FuzzCase | undefined;
  const onRejection = (reason: unknown) =>
    findings.add("unhandled-rejection", errorMessage(reason), errorDetail(reason), current);
  const onUncaught = (error: unknown) =>
    findings.add("uncaught-exception", errorMessage(error), errorDetail(error), current);
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onUncaught);
  const collectLogged = () => {
    for (const e of target.takeErrors())
      findings.add("logged-error", `${e.source}: ${e.message}`, e.detail, current);
  };
  const drops = { resumed: 0, reconnected: 0 };
  let unhealthyRounds = 0;
  let heapBefore = 0;
  const samples: number[] = [];
  let started = Date.now();
  try {
    await startOnline(target, peer);
    if (warmup === 0) heapBefore = await measure(target, peer);
    let round = 0;
    for (let index = 0; index < options.cases; index++) {
      current = fuzzCase(seed, index, scene);
      try {
        target.server.receive(current.stanza);
      } catch (error) {
        findings.add("exception", errorMessage(error), errorDetail(error), current);
      }
      // Most handling is promise chains: a macrotask turn settles it, so findings name their case.
      // Fake time moves on a little per case, as it would between stanzas (XEP-0198 `<r/>` timer).
      await nextMacrotask();
      target.clock.advance(10);
      await nextMacrotask();
      collectLogged();
      if ((index + 1) % roundSize !== 0 && index + 1 !== options.cases) continue;
      round++;
      if (!(await healthyRound(target, peer, round))) {
        unhealthyRounds++;
        const kind = target.client.status === "online" ? "unresponsive" : "offline";
        findings.add(kind, `client ${target.client.status} after a round`, "", current);
        await bringOnline(target, peer);
      }
      collectLogged();
      if (dropEvery > 0 && round % dropEvery === 0) {
        const resume = (round / dropEvery) % 2 === 1;
        if (resume) target.server.acceptResume();
        target.server.drop();
        await bringOnline(target, peer);
        drops[resume ? "resumed" : "reconnected"]++;
      }
      options.onProgress?.(index + 1);
      if (options.heapSampleEvery && (index + 1) % options.heapSampleEvery === 0)
        samples.push(await measure(target, peer));
      if (index + 1 === warmup) {
        heapBefore = await measure(target, peer);
        started = Date.now();
      }
    }
    current = undefined;
    const durationMs = Date.now() - started;
    // Let every timer run out (IQ timeouts, join timeouts, chat-state timers) before measuring.
    for (let i = 0; i < 60; i++) {
      target.clock.advance(10_000);
      peer.pump();
      await nextMacrotask();
    }
    const final = await finalChecks(target, peer, scene.owner);
    collectLogged();
    const heapAfter = await measure(target, peer);
    const measured = Math.max(1, options.cases - warmup);
    return {
      seed,
      cases: options.cases,
      durationMs,
      casesPerSecond: Math.round((measured / Math.max(1, durationMs)) * 1000),
      crashes:
        findings.count("exception") +
        findings.count("logged-error") +
        findings.count("uncaught-exception"),
      unhandledRejections: findings.count("unhandled-rejection"),
      unhealthyRounds,
      findings: findings.list(),
      drops,
      delivered: { ...target.delivered },
      warnings: Object.fromEntries(target.warnings),
      final,
      heap: { before: heapBefore, after: heapAfter, growth: heapAfter - heapBefore, samples },
    };
  } finally {
    process.off("unhandledRejection", onRejection);
    process.off("uncaughtException", onUncaught);
    await target.dispose();
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function errorDetail(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
