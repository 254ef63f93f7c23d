/**
 * One-way throughput: the sender fires `count` messages as fast as the
 * client lets it; rate = received / (last received − first sent). The
 * core's sends resolve on the server's XEP-0198 ack and its queue is bounded,
 * so it runs with a window of unsettled sends; xmpp.js sends are fired all at once.
 */
import { performance } from "node:perf_hooks";
import type { AnomalySink, BenchClient } from "./drivers.js";
import { Pending } from "./pending.js";
import { processCpuMicros } from "./server-cpu.js";
import { median } from "./stats.js";
import type { ThroughputParams, ThroughputResult, ThroughputRun } from "./tasks.js";

interface Run {
  tag: string;
  seen: Uint8Array;
  received: number;
  duplicates: number;
  last: number;
}

/** Runs a warm-up burst, then the measured bursts. */
export async function measureThroughput(
  sender: BenchClient,
  receiver: BenchClient,
  params: ThroughputParams,
  window: number,
  anomaly: AnomalySink,
  serverPid?: number,
): Promise<ThroughputResult> {
  let run: Run | undefined;
  receiver.onMessage((_from, body) => {
    const match = /^tp-(\w+)-(\d+)$/u.exec(body);
    if (!run || match?.[1] !== run.tag) return;
    const i = Number(match[2]);
    if (run.seen[i] === 1) {
      run.duplicates++;
      return;
    }
    run.seen[i] = 1;
    run.received++;
    run.last = performance.now();
  });

  const burst = async (tag: string, count: number) => {
    const current: Run = { tag, seen: new Uint8Array(count), received: 0, duplicates: 0, last: 0 };
    run = current;
    let sendErrors = 0;
    const inflight: Promise<void>[] = [];
    const pending = new Pending();
    const cpuBefore = process.cpuUsage();
    const serverCpuBefore = processCpuMicros(serverPid);
    const first = performance.now();
    for (let i = 0; i < count; i++) {
      const sent = sender.send(receiver.jid, `tp-${tag}-${i}`).catch((error: Error) => {
        sendErrors++;
        if (sendErrors <= 3) anomaly(`throughput send ${tag}-${i} failed: ${error.message}`);
      });
      pending.add(sent);
      if (Number.isFinite(window)) {
        inflight.push(sent);
        if (inflight.length >= window) await inflight.shift();
      }
    }
    const sendPhaseMs = performance.now() - first;
    const complete = await waitForAll(current, count, params.idleTimeoutMs);
    if (!complete) {
      anomaly(
        `throughput ${tag}: ${current.received}/${count} received, nothing new for ${params.idleTimeoutMs} ms`,
      );
    }
    const unconfirmed = await pending.drain(params.idleTimeoutMs);
    if (unconfirmed > 0) anomaly(`throughput ${tag}: ${unconfirmed} sends never settled`);
    const totalMs = current.last - first;
    const cpu = process.cpuUsage(cpuBefore);
    const serverCpuAfter = processCpuMicros(serverPid);
    const received = Math.max(1, current.received);
    return {
      ...(serverCpuBefore !== undefined && serverCpuAfter !== undefined
        ? { serverCpuMicrosPerMessage: (serverCpuAfter - serverCpuBefore) / received }
        : {}),
      cpuMicrosPerMessage: (cpu.user + cpu.system) / received,
      messagesPerSecond: current.received / (totalMs / 1000),
      sent: count,
      received: current.received,
      duplicates: current.duplicates,
      sendErrors,
      sendPhaseMs,
      totalMs,
    };
  };

  await burst("w", params.warmup);
  const runs: ThroughputRun[] = [];
  for (let r = 0; r < params.runs; r++) runs.push(await burst(`m${r}`, params.count));
  const serverCpu = runs.flatMap((r) =>
    r.serverCpuMicrosPerMessage === undefined ? [] : [r.serverCpuMicrosPerMessage],
  );
  return {
    messagesPerSecond: median(runs.map((r) => r.messagesPerSecond)),
    cpuMicrosPerMessage: median(runs.map((r) => r.cpuMicrosPerMessage)),
    ...(serverCpu.length === runs.length ? { serverCpuMicrosPerMessage: median(serverCpu) } : {}),
    runs,
  };
}

async function waitForAll(run: Run, count: number, idleMs: number): Promise<boolean> {
  let progress = run.received;
  let idleSince = performance.now();
  while (run.received < count) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (run.received !== progress) {
      progress = run.received;
      idleSince = performance.now();
    } else if (performance.now() - idleSince > idleMs) return false;
  }
  return true;
}
