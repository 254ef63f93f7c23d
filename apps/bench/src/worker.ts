/**
 * A worker process: runs one task for one variant and reports over IPC.
 * Started by main.ts with NODE_EXTRA_CA_CERTS (xmpp.js has no CA option)
 * and --expose-gc, a fresh process per task so numbers never mix.
 */
import { type BenchClient, makeClient, startClient } from "./drivers.js";
import { measureEcho } from "./echo.js";
import { measureLogin } from "./login.js";
import { measureMemory } from "./memory.js";
import type { Task, TaskResult } from "./tasks.js";
import { measureThroughput } from "./throughput.js";

async function run(task: Task): Promise<TaskResult> {
  const anomalies: string[] = [];
  const anomaly = (what: string) => {
    if (anomalies.length < 50) anomalies.push(what);
  };
  if (task.kind === "memory") {
    const memory = await measureMemory(task.variant, task.server, task.accounts, anomaly);
    return { kind: "memory", memory, anomalies };
  }
  const step = (what: string) => {
    if (process.env.BENCH_VERBOSE) process.stderr.write(`  [worker ${task.variant}] ${what}\n`);
  };
  const [a, b, loginAccount] = task.accounts;
  const pair = async (): Promise<[BenchClient, BenchClient]> => {
    // One after the other: xmpp.js's synchronous SCRAM blocks the event loop long enough
    // for a concurrent login's 2 s stream timeout to fire.
    const x = await startClient(
      () => makeClient(task.variant, task.server, a, anomaly, task.baselineStanza),
      anomaly,
      a.jid,
    );
    const y = await startClient(
      () => makeClient(task.variant, task.server, b, anomaly, task.baselineStanza),
      anomaly,
      b.jid,
    );
    return [x, y];
  };
  // Fresh connections per measurement so one cannot leave state (handlers, queues) for the next.
  step("connecting echo pair");
  const [sender, peer] = await pair();
  step("echo");
  const echo = await measureEcho(sender, peer, task.echo, anomaly);
  await Promise.all([sender.stop(), peer.stop()]);

  step("connecting throughput pair");
  const [from, to] = await pair();
  step("throughput");
  const window = task.variant === "core" ? task.throughput.coreWindow : Number.POSITIVE_INFINITY;
  const throughput = await measureThroughput(
    from,
    to,
    task.throughput,
    window,
    anomaly,
    task.server.serverPid,
  );
  await Promise.all([from.stop(), to.stop()]);

  if (task.logins === 0) return { kind: "perf", echo, throughput, anomalies };
  step("login");
  const login = await measureLogin(task.variant, task.server, loginAccount, task.logins, anomaly);
  return { kind: "perf", echo, throughput, login, anomalies };
}

process.once("message", (task: Task) => {
  run(task).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`worker failed: ${error instanceof Error ? error.stack : error}\n`);
      process.exit(1);
    },
  );
});
