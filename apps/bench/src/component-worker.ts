/**
 * One side of the component bench, in a fresh process (`--expose-gc`) so its
 * RSS is its own: either one XEP-0114 component serving `jids` virtual JIDs,
 * or `clients` core client connections. It connects, reports the memory the
 * connections hold, then on command sends its share of the traffic to the
 * sink (outbound) or counts what the sink sends it (inbound).
 */

import { type Component, createComponent } from "@clawxmpp/component";
import { type Client, createClient } from "@clawxmpp/core";

/** What the orchestrator asks for. */
export interface ComponentBenchTask {
  role: "component" | "clients";
  host: string;
  c2sPort: number;
  componentPort: number;
  domain: string;
  componentDomain: string;
  secret: string;
  caCert: string;
  /** Virtual JIDs (component) or accounts (clients). */
  senders: string[];
  sink: string;
  messages: number;
  window: number;
}

/** Commands after setup. */
export type WorkerCommand = { do: "outbound" } | { do: "inbound" } | { do: "stop" };

/** Reports back. */
export type WorkerReport =
  | { kind: "ready"; connectMs: number; rssBeforeMiB: number; rssAfterMiB: number }
  | { kind: "sent"; ms: number; cpuMs: number; peakRssMiB: number }
  | { kind: "received"; ms: number; cpuMs: number; peakRssMiB: number; count: number }
  | { kind: "failed"; error: string };

const mib = (bytes: number) => bytes / 1024 / 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function settledRss(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  await sleep(300);
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(30);
  }
  return process.memoryUsage().rss;
}

/** Runs `count` sends with at most `window` unsettled at once. */
async function windowed(count: number, window: number, send: (i: number) => Promise<unknown>) {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      await send(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, lane));
}

/** Samples RSS while `work` runs; returns its peak. */
async function withPeak<T>(work: () => Promise<T>): Promise<[T, number]> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  try {
    const result = await work();
    return [result, Math.max(peak, process.memoryUsage().rss)];
  } finally {
    clearInterval(timer);
  }
}

async function run(task: ComponentBenchTask): Promise<void> {
  const report = (r: WorkerReport) => process.send?.(r);
  const rssBefore = await settledRss();
  const t0 = performance.now();
  let received = 0;
  let component: Component | undefined;
  const clients: Client[] = [];
  if (task.role === "component") {
    component = createComponent({
      domain: task.componentDomain,
      secret: task.secret,
      host: task.host,
      port: task.componentPort,
      queueSize: Math.max(1_000, task.window * 2),
    });
    component.on("message", () => {
      received++;
    });
    await component.start();
  } else {
    // Logins in small batches: SCRAM costs CPU on both sides.
    for (let i = 0; i < task.senders.length; i += 10) {
      const batch = task.senders.slice(i, i + 10).map(async (jid) => {
        const client = createClient({
          jid,
          password: jid.split("@")[0] ?? "",
          server: task.host,
          port: task.c2sPort,
          tls: { ca: task.caCert },
        });
        client.on("message", () => {
          received++;
        });
        await client.start();
        clients.push(client);
      });
      await Promise.all(batch);
    }
  }
  const connectMs = performance.now() - t0;
  report({
    kind: "ready",
    connectMs,
    rssBeforeMiB: mib(rssBefore),
    rssAfterMiB: mib(await settledRss()),
  });

  process.on("message", (command: WorkerCommand) => {
    void (async () => {
      if (command.do === "stop") {
        await component?.stop();
        await Promise.all(clients.map((c) => c.stop()));
        process.exit(0);
      }
      const cpu0 = process.cpuUsage();
      const start = performance.now();
      if (command.do === "outbound") {
        const [, peak] = await withPeak(() =>
          windowed(task.messages, task.window, (i) => {
            const body = `bench ${i}`;
            if (component)
              return component.send({
                from: task.senders[i % task.senders.length] as string,
                to: task.sink,
                body,
              });
            const client = clients[i % clients.length] as Client;
            return client.send({ to: task.sink, body });
          }),
        );
        const cpu = process.cpuUsage(cpu0);
        report({
          kind: "sent",
          ms: performance.now() - start,
          cpuMs: (cpu.user + cpu.system) / 1000,
          peakRssMiB: mib(peak),
        });
      } else {
        received = 0;
        const [, peak] = await withPeak(async () => {
          const deadline = Date.now() + 120_000;
          while (received < task.messages && Date.now() < deadline) await sleep(5);
        });
        const cpu = process.cpuUsage(cpu0);
        report({
          kind: "received",
          ms: performance.now() - start,
          cpuMs: (cpu.user + cpu.system) / 1000,
          peakRssMiB: mib(peak),
          count: received,
        });
      }
    })().catch((error: unknown) => report({ kind: "failed", error: String(error) }));
  });
}

process.once("message", (task: ComponentBenchTask) => {
  run(task).catch((error: unknown) => {
    process.send?.({
      kind: "failed",
      error: error instanceof Error ? error.message : String(error),
    });
    process.exit(1);
  });
});
