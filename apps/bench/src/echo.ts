/**
 * Echo round trip: the sender sends one message, the echo peer (same client
 * kind) sends it back, the next goes out only when the echo arrived.
 */
import { performance } from "node:perf_hooks";
import type { AnomalySink, BenchClient } from "./drivers.js";
import { Pending } from "./pending.js";
import { median, percentile } from "./stats.js";
import type { EchoParams, EchoResult } from "./tasks.js";

/** Runs the echo measurement on two started clients. */
export async function measureEcho(
  sender: BenchClient,
  peer: BenchClient,
  params: EchoParams,
  anomaly: AnomalySink,
): Promise<EchoResult> {
  const pending = new Pending();
  peer.onMessage((from, body) => {
    pending.add(
      peer.send(from, body).catch((error: Error) => anomaly(`echo reply failed: ${error.message}`)),
    );
  });
  let expected: { body: string; resolve: () => void } | undefined;
  let unexpected = 0;
  sender.onMessage((_from, body) => {
    if (expected?.body === body) {
      const { resolve } = expected;
      expected = undefined;
      resolve();
    } else unexpected++;
  });

  const samples: number[] = [];
  let lost = 0;
  for (let i = 0; i < params.warmup + params.count; i++) {
    const body = `echo-${i}`;
    const arrived = new Promise<void>((resolve) => {
      expected = { body, resolve };
    });
    const t0 = performance.now();
    pending.add(
      sender
        .send(peer.jid, body)
        .catch((error: Error) => anomaly(`echo send ${i} failed: ${error.message}`)),
    );
    let timer: NodeJS.Timeout | undefined;
    const ok = await Promise.race([
      arrived.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), params.timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    const dt = performance.now() - t0;
    if (!ok) {
      lost++;
      expected = undefined;
      anomaly(`echo round trip ${i} not answered within ${params.timeoutMs} ms`);
      if (lost >= 5) {
        anomaly("echo: 5 round trips lost, measurement aborted");
        break;
      }
    } else if (i >= params.warmup) samples.push(dt);
  }
  const unconfirmed = await pending.drain(params.timeoutMs);
  if (unconfirmed > 0)
    anomaly(`echo: ${unconfirmed} sends not confirmed ${params.timeoutMs} ms after the last echo`);
  return {
    medianMs: median(samples),
    p99Ms: percentile(samples, 99),
    meanMs: samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length),
    measured: samples.length,
    lost,
    unexpected,
  };
}
