/**
 * The reliability soak of issue #18 on a real Prosody: two `@clawxmpp/core`
 * clients send each other messages at a fixed rate in both directions while
 * the server is SIGKILLed and restarted at random intervals (seeded, so a
 * failure replays). Per direction it counts rejected sends, sends the server
 * acknowledged (XEP-0198) that never reached the peer, and messages received
 * twice; per restart, how long after the server was ready each client was
 * online again. Shared by `test/soak.test.ts` and `pnpm bench soak`.
 */
import { performance } from "node:perf_hooks";
import type { Client, InboundMessage } from "@clawxmpp/core";
import { type ClientForOptions, clientFor } from "./client-for.js";
import type { ProsodyInstance } from "./prosody.js";
import { seededRandom } from "./seeded-random.js";

/** Options of {@link runSoak}. */
export interface SoakOptions {
  server: ProsodyInstance;
  /** The two accounts that talk to each other. @default ["alice", "bob"] */
  users?: [string, string];
  /** Kill + restart cycles. */
  cycles: number;
  /** Messages per second in each direction. */
  rate: number;
  /** Seed of the kill schedule; print it, and pass it again to replay a run. */
  seed: number;
  /** Server uptime between "ready" and the next SIGKILL, uniform in [min, max] ms. @default [1000, 6000] */
  uptimeMs?: [number, number];
  /** XEP-0313 catch-up (`archive: { catchUp: true }`) on both clients. */
  catchUp: boolean;
  /** After the last restart, this long without a new message ends the wait for stragglers. @default 3000 */
  quietMs?: number;
  /** Upper bound of each final wait (clients online, sends settled, messages in). @default 20000 */
  settleMs?: number;
  /** Extra client options (both clients). */
  clientOptions?: ClientForOptions;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Figures of one direction. */
export interface SoakDirection {
  /** "alice→bob". */
  label: string;
  sent: number;
  /** `send()` resolved (the server acknowledged it). */
  acked: number;
  /** `send()` rejected. */
  rejected: number;
  /** `send()` neither resolved nor rejected by the end. */
  unsettled: number;
  /** Distinct messages the peer received. */
  received: number;
  /** Acknowledged but never received by the peer. */
  undelivered: number;
  /** Received more than once. */
  duplicated: number;
  /** A few bodies (and errors) of each kind, for failure messages. */
  examples: { rejected: string[]; undelivered: string[]; duplicated: string[] };
}

/** What {@link runSoak} measured. */
export interface SoakResult {
  seed: number;
  cycles: number;
  rate: number;
  catchUp: boolean;
  durationMs: number;
  directions: [SoakDirection, SoakDirection];
  /** Per restart and client: ms from `restart()` resolving to the client's next `online` (0 when it was earlier). */
  reconnectMs: number[];
  reconnectMedianMs: number;
  reconnectMaxMs: number;
  /** "cycle 3 alice": a client not online again before the next kill (or the end of the run). */
  missedReconnects: string[];
  /** Each kill's uptime before it, ms (the seeded schedule). */
  uptimesMs: number[];
  /** Each client's status and counters at the end, before it was stopped. */
  clients: string[];
}

interface Direction {
  label: string;
  sent: string[];
  acked: Set<string>;
  rejected: Map<string, string>;
  received: Map<string, number>;
  settling: Promise<unknown>[];
}

/** Runs the soak; never throws for lost or duplicated messages, it counts them. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { server, cycles, rate, seed } = options;
  const [userA, userB] = options.users ?? ["alice", "bob"];
  const [minUp, maxUp] = options.uptimeMs ?? [1_000, 6_000];
  const settleMs = options.settleMs ?? 20_000;
  const log = options.log ?? (() => {});
  const random = seededRandom(seed);
  const overrides: ClientForOptions = {
    // End-to-end receipts: what a SIGKILLed server had acked but not delivered is sent again.
    delivery: { receipts: true },
    ...options.clientOptions,
    ...(options.catchUp ? { archive: { catchUp: true } } : {}),
  };
  const a = clientFor(server, userA, overrides);
  const b = clientFor(server, userB, overrides);
  const clients: [string, Client][] = [
    [userA, a],
    [userB, b],
  ];
  const onlineAt = new Map<string, number[]>(clients.map(([name]) => [name, []]));
  for (const [name, client] of clients) {
    client.on("online", () => onlineAt.get(name)?.push(performance.now()));
  }
  const tag = `${seed.toString(36)}-${options.catchUp ? "mam" : "nomam"}`;
  const aToB = direction(`${userA}→${userB}`);
  const bToA = direction(`${userB}→${userA}`);
  let lastMessageAt = performance.now();
  receive(b, a.account.bare, `soak ${tag} a `, aToB, () => {
    lastMessageAt = performance.now();
  });
  receive(a, b.account.bare, `soak ${tag} b `, bToA, () => {
    lastMessageAt = performance.now();
  });

  const started = performance.now();
  const restarts: { killAt: number; readyAt: number }[] = [];
  const uptimesMs: number[] = [];
  const clientStats: string[] = [];
  let stopSenders: (() => void) | undefined;
  try {
    await Promise.all([a.start(), b.start()]);
    const stopA = sender(a, b.account.bare, `soak ${tag} a `, rate, aToB);
    const stopB = sender(b, a.account.bare, `soak ${tag} b `, rate, bToA);
    stopSenders = () => {
      stopA();
      stopB();
    };
    for (let cycle = 0; cycle < cycles; cycle++) {
      const uptime = random.between(minUp, maxUp);
      uptimesMs.push(uptime);
      // The schedule itself: the server stays up this long before the next fault.
      await new Promise((resolve) => setTimeout(resolve, uptime));
      const killAt = performance.now();
      await server.kill();
      await server.restart();
      restarts.push({ killAt, readyAt: performance.now() });
      log(
        `cycle ${cycle + 1}/${cycles}: up ${uptime} ms, killed, ready after ${Math.round(performance.now() - killAt)} ms; ${progress(aToB)}; ${progress(bToA)}`,
      );
    }
    stopSenders();
    await allOnline(clients, settleMs);
    await settled([...aToB.settling, ...bToA.settling], settleMs);
    // The quiet period starts once everyone is back and every send has settled: a server that
    // takes longer than `quietMs` to restart (ejabberd, 2.5–3.5 s) must not end the wait before
    // what was queued during its last outage has even been written.
    lastMessageAt = Math.max(lastMessageAt, performance.now());
    const quietMs = options.quietMs ?? 3_000;
    const deadline = performance.now() + settleMs;
    const allIn = () =>
      [aToB, bToA].every((d) => [...d.acked].every((body) => d.received.has(body)));
    while (
      !allIn() &&
      performance.now() - lastMessageAt < quietMs &&
      performance.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    stopSenders?.();
    for (const [name, client] of clients) clientStats.push(statsOf(name, client));
    await Promise.all([a.stop(), b.stop()]);
  }
  const ended = performance.now();

  const reconnectMs: number[] = [];
  const missedReconnects: string[] = [];
  restarts.forEach((restart, i) => {
    const windowEnd = restarts[i + 1]?.killAt ?? ended;
    for (const [name] of clients) {
      const at = onlineAt.get(name)?.find((t) => t > restart.killAt && t <= windowEnd);
      if (at === undefined) missedReconnects.push(`cycle ${i + 1} ${name}`);
      else reconnectMs.push(Math.max(0, at - restart.readyAt));
    }
  });
  return {
    seed,
    cycles,
    rate,
    catchUp: options.catchUp,
    durationMs: Math.round(ended - started),
    directions: [summarize(aToB), summarize(bToA)],
    reconnectMs,
    reconnectMedianMs: median(reconnectMs),
    reconnectMaxMs: reconnectMs.length === 0 ? Number.NaN : Math.max(...reconnectMs),
    missedReconnects,
    uptimesMs,
    clients: clientStats,
  };
}

/** One client's state at the end of the run, before it is stopped. */
function statsOf(name: string, client: Client): string {
  const s = client.stats;
  return `${name}: ${client.status}, ${s.connects} logins, ${s.resumes} resumptions, ${s.reconnectAttempts} reconnect attempts, ${s.queued} unconfirmed${s.lastError ? `, last error "${s.lastError.message}"` : ""}`;
}

/** The figures as printable lines. */
export function formatSoak(result: SoakResult): string {
  const ms = (value: number) => (Number.isNaN(value) ? "n/a" : `${Math.round(value)} ms`);
  const lines = [
    `soak seed=${result.seed} (replay: SOAK_SEED=${result.seed}) cycles=${result.cycles} rate=${result.rate}/s per direction catchUp=${result.catchUp} took ${(result.durationMs / 1000).toFixed(1)} s`,
    ...result.directions.map(
      (d) =>
        `  ${d.label}: sent ${d.sent}, acked ${d.acked}, rejected ${d.rejected}, unsettled ${d.unsettled}, received ${d.received}, acked-but-undelivered ${d.undelivered}, duplicated ${d.duplicated}`,
    ),
    `  reconnect after server ready: median ${ms(result.reconnectMedianMs)}, max ${ms(result.reconnectMaxMs)} over ${result.reconnectMs.length} (missed: ${result.missedReconnects.length === 0 ? "none" : result.missedReconnects.join(", ")})`,
  ];
  for (const line of result.clients) lines.push(`  ${line}`);
  for (const d of result.directions) {
    for (const [kind, list] of Object.entries(d.examples)) {
      if (list.length > 0) lines.push(`  ${d.label} ${kind} e.g.: ${list.join(" | ")}`);
    }
  }
  return lines.join("\n");
}

/** Running counts for progress lines. */
function progress(d: Direction): string {
  return `${d.label} sent ${d.sent.length} acked ${d.acked.size} rejected ${d.rejected.size} received ${d.received.size}`;
}

function direction(label: string): Direction {
  return {
    label,
    sent: [],
    acked: new Set(),
    rejected: new Map(),
    received: new Map(),
    settling: [],
  };
}

/** Sends `rate` messages per second, catching up on timer lag; returns a stop function. */
function sender(from: Client, to: string, prefix: string, rate: number, d: Direction): () => void {
  const t0 = performance.now();
  let seq = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - t0) * rate) / 1000);
    while (seq < due) {
      const body = `${prefix}${seq++}`;
      d.sent.push(body);
      d.settling.push(
        from.send({ to, body }).then(
          () => d.acked.add(body),
          (error: unknown) => d.rejected.set(body, String((error as Error)?.message ?? error)),
        ),
      );
    }
  }, 10);
  return () => clearInterval(timer);
}

/** Counts each body from `peer` starting with `prefix`, however it arrived (live, offline, archive). */
function receive(
  client: Client,
  peer: string,
  prefix: string,
  d: Direction,
  activity: () => void,
): void {
  client.on("message", (m: InboundMessage) => {
    if (m.outgoing || m.from.bare !== peer || !m.body?.startsWith(prefix)) return;
    d.received.set(m.body, (d.received.get(m.body) ?? 0) + 1);
    activity();
  });
}

function allOnline(clients: [string, Client][], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = performance.now() + ms;
    const check = () => {
      if (clients.every(([, c]) => c.status === "online") || performance.now() > deadline)
        resolve();
      else setTimeout(check, 20);
    };
    check();
  });
}

function settled(promises: Promise<unknown>[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void Promise.allSettled(promises).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function summarize(d: Direction): SoakDirection {
  const undelivered = [...d.acked].filter((body) => !d.received.has(body));
  const duplicated = [...d.received].filter(([, n]) => n > 1).map(([body, n]) => `${body} ×${n}`);
  return {
    label: d.label,
    sent: d.sent.length,
    acked: d.acked.size,
    rejected: d.rejected.size,
    unsettled: d.sent.length - d.acked.size - d.rejected.size,
    received: d.received.size,
    undelivered: undelivered.length,
    duplicated: duplicated.length,
    examples: {
      rejected: [...d.rejected].slice(0, 5).map(([body, error]) => `${body}: ${error}`),
      undelivered: undelivered.slice(0, 10),
      duplicated: duplicated.slice(0, 10),
    },
  };
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
