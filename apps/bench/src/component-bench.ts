/**
 * `bench component`: one XEP-0114 component connection serving 10,000
 * virtual JIDs against 100 client connections carrying the same traffic, on
 * one throwaway Prosody. Each side runs in a fresh worker process; a sink
 * account (in this process) receives what they send and sends them the same
 * amount back. Prints messages/s, CPU and RSS of each side and the ratios.
 */
import { fork } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { type Client, createClient } from "@clawxmpp/core";
import { startProsody } from "@clawxmpp/integration";
import type { ComponentBenchTask, WorkerCommand, WorkerReport } from "./component-worker.js";

const WORKER = fileURLToPath(new URL("./component-worker.js", import.meta.url));
const COMPONENT_DOMAIN = "bots.localhost";
const SECRET = "bench-secret";

interface Settings {
  jids: number;
  clients: number;
  messages: number;
  window: number;
}

function settings(argv: string[]): Settings {
  const get = (flag: string, env: string, def: number) => {
    const index = argv.indexOf(`--${flag}`);
    const raw = index === -1 ? process.env[env] : argv[index + 1];
    const value = raw === undefined ? def : Number(raw);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${flag} must be a positive integer`);
    return value;
  };
  return {
    jids: get("jids", "BENCH_COMPONENT_JIDS", 10_000),
    clients: get("clients", "BENCH_COMPONENT_CLIENTS", 100),
    messages: get("messages", "BENCH_COMPONENT_MESSAGES", 5_000),
    window: get("window", "BENCH_COMPONENT_WINDOW", 500),
  };
}

/** A free port below the ephemeral range, so it cannot collide with the fixture's own picks. */
async function componentPort(): Promise<number> {
  for (;;) {
    const candidate = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once("error", () => resolve(false));
      probe.listen(candidate, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (free) return candidate;
  }
}

/** A forked worker with a typed request/answer channel. */
function startWorker(task: ComponentBenchTask) {
  const child = fork(WORKER, [], {
    execArgv: ["--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiting: ((report: WorkerReport) => void)[] = [];
  child.on("message", (report: WorkerReport) => {
    if (report.kind === "failed")
      process.stderr.write(`[bench component] worker: ${report.error}\n`);
    waiting.shift()?.(report);
  });
  child.send(task);
  const next = (timeoutMs = 180_000) =>
    new Promise<WorkerReport>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${task.role} worker: no answer in ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiting.push((report) => {
        clearTimeout(timer);
        resolve(report);
      });
    });
  return {
    next,
    command: (command: WorkerCommand) => child.send(command),
    kill: () => child.kill("SIGKILL"),
    exited: new Promise((resolve) => child.once("exit", resolve)),
  };
}

interface SideResult {
  connections: number;
  connectMs: number;
  rssHeldMiB: number;
  outMsgPerSec: number;
  outCpuMsPer1k: number;
  outPeakRssMiB: number;
  inMsgPerSec: number;
  inCpuMsPer1k: number;
  inPeakRssMiB: number;
  lost: number;
}

async function measureSide(
  task: ComponentBenchTask,
  sink: Client,
  sinkCount: () => number,
  resetSink: () => void,
  log: (line: string) => void,
): Promise<SideResult> {
  const worker = startWorker(task);
  try {
    const ready = await worker.next();
    if (ready.kind !== "ready") throw new Error(`${task.role}: ${JSON.stringify(ready)}`);
    log(`${task.role}: ${task.senders.length} JIDs online in ${ready.connectMs.toFixed(0)} ms`);

    resetSink();
    const started = performance.now();
    worker.command({ do: "outbound" });
    const sent = await worker.next();
    if (sent.kind !== "sent") throw new Error(`${task.role}: ${JSON.stringify(sent)}`);
    const deadline = Date.now() + 120_000;
    while (sinkCount() < task.messages && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    const outMs = performance.now() - started;
    const lostOut = task.messages - sinkCount();
    log(`${task.role}: outbound ${task.messages} in ${outMs.toFixed(0)} ms`);

    worker.command({ do: "inbound" });
    const receiving = worker.next();
    let next = 0;
    const lane = async () => {
      while (next < task.messages) {
        const i = next++;
        await sink.send({ to: task.senders[i % task.senders.length] ?? "", body: `back ${i}` });
      }
    };
    await Promise.all(Array.from({ length: task.window }, lane));
    const received = await receiving;
    if (received.kind !== "received") throw new Error(`${task.role}: ${JSON.stringify(received)}`);
    log(`${task.role}: inbound ${received.count} in ${received.ms.toFixed(0)} ms`);
    worker.command({ do: "stop" });
    await Promise.race([worker.exited, new Promise((r) => setTimeout(r, 10_000))]);
    return {
      connections: task.role === "component" ? 1 : task.senders.length,
      connectMs: ready.connectMs,
      rssHeldMiB: ready.rssAfterMiB - ready.rssBeforeMiB,
      outMsgPerSec: (task.messages - lostOut) / (outMs / 1000),
      outCpuMsPer1k: (sent.cpuMs / task.messages) * 1000,
      outPeakRssMiB: sent.peakRssMiB,
      inMsgPerSec: received.count / (received.ms / 1000),
      inCpuMsPer1k: (received.cpuMs / Math.max(1, received.count)) * 1000,
      inPeakRssMiB: received.peakRssMiB,
      lost: lostOut + task.messages - received.count,
    };
  } finally {
    worker.kill();
  }
}

/** Runs the component bench; prints a table to stdout. */
export async function componentBench(argv: string[]): Promise<void> {
  const s = settings(argv);
  const begun = Date.now();
  const log = (line: string) =>
    process.stderr.write(
      `[bench component ${((Date.now() - begun) / 1000).toFixed(0)}s] ${line}\n`,
    );
  const port = await componentPort();
  const accountNames = Array.from(
    { length: s.clients },
    (_, i) => `c${String(i).padStart(3, "0")}`,
  );
  const server = await startProsody({
    mam: false,
    accounts: Object.fromEntries(["sink", ...accountNames].map((u) => [u, u])),
    extraGlobal: [
      `component_ports = { ${port} }`,
      `component_interfaces = { "127.0.0.1" }`,
      `Component ${JSON.stringify(COMPONENT_DOMAIN)}`,
      `  component_secret = ${JSON.stringify(SECRET)}`,
      "",
    ].join("\n"),
  });
  const sinkAccount = server.accounts.sink;
  if (!sinkAccount) throw new Error("sink account missing");
  const sink = createClient({
    jid: sinkAccount.jid,
    password: sinkAccount.password,
    server: server.host,
    port: server.c2sPort,
    tls: { ca: server.caCert },
    queueSize: s.window * 2,
  });
  let count = 0;
  sink.on("message", (m) => {
    if (m.body?.startsWith("bench ")) count++;
  });
  try {
    await sink.start();
    const base = {
      host: server.host,
      c2sPort: server.c2sPort,
      componentPort: port,
      domain: server.domain,
      componentDomain: COMPONENT_DOMAIN,
      secret: SECRET,
      caCert: server.caCert,
      sink: sinkAccount.jid,
      messages: s.messages,
      window: s.window,
    };
    const jids = Array.from({ length: s.jids }, (_, i) => `u${i}@${COMPONENT_DOMAIN}`);
    const accounts = accountNames.map((name) => `${name}@${server.domain}`);
    const reset = () => {
      count = 0;
    };
    const component = await measureSide(
      { ...base, role: "component", senders: jids },
      sink,
      () => count,
      reset,
      log,
    );
    const clients = await measureSide(
      { ...base, role: "clients", senders: accounts },
      sink,
      () => count,
      reset,
      log,
    );
    printTable(s, component, clients);
  } finally {
    await sink.stop();
    await server.stop();
  }
}

function printTable(s: Settings, component: SideResult, clients: SideResult): void {
  const f = (n: number, digits = 0) => n.toFixed(digits);
  const rows: [string, string, string, string][] = [
    ["connections", f(component.connections), f(clients.connections), ""],
    ["JIDs served", f(s.jids), f(s.clients), ""],
    [
      "connect all (ms)",
      f(component.connectMs),
      f(clients.connectMs),
      `${f(clients.connectMs / component.connectMs, 1)}× faster`,
    ],
    [
      "RSS held by the connections (MiB)",
      f(component.rssHeldMiB, 1),
      f(clients.rssHeldMiB, 1),
      `${f(clients.rssHeldMiB / Math.max(0.1, component.rssHeldMiB), 1)}× less`,
    ],
    [
      "outbound msg/s (to the sink)",
      f(component.outMsgPerSec),
      f(clients.outMsgPerSec),
      `${f(component.outMsgPerSec / clients.outMsgPerSec, 2)}×`,
    ],
    [
      "outbound CPU ms / 1000 msgs",
      f(component.outCpuMsPer1k),
      f(clients.outCpuMsPer1k),
      `${f(clients.outCpuMsPer1k / component.outCpuMsPer1k, 2)}× less`,
    ],
    ["outbound peak RSS (MiB)", f(component.outPeakRssMiB, 1), f(clients.outPeakRssMiB, 1), ""],
    [
      "inbound msg/s (from the sink)",
      f(component.inMsgPerSec),
      f(clients.inMsgPerSec),
      `${f(component.inMsgPerSec / clients.inMsgPerSec, 2)}×`,
    ],
    [
      "inbound CPU ms / 1000 msgs",
      f(component.inCpuMsPer1k),
      f(clients.inCpuMsPer1k),
      `${f(clients.inCpuMsPer1k / component.inCpuMsPer1k, 2)}× less`,
    ],
    ["inbound peak RSS (MiB)", f(component.inPeakRssMiB, 1), f(clients.inPeakRssMiB, 1), ""],
    ["lost messages", f(component.lost), f(clients.lost), ""],
  ];
  const head: [string, string, string, string] = [
    "",
    "1 component",
    `${s.clients} clients`,
    "component vs clients",
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  process.stdout.write(
    [
      `\n${s.messages} messages each way; ${s.jids} virtual JIDs on one component vs ${s.clients} client connections\n`,
      line(head),
      `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
      ...rows.map(line),
      "",
    ].join("\n"),
  );
}
