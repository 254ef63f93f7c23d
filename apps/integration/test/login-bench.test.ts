/**
 * Login bench (run with CLAWXMPP_BENCH=1): client flights (round trips) and
 * time per login and per resume, for each server and path, directly and
 * through a loopback proxy adding 50 ms each way. A flight is the client
 * writing after the server wrote, counted at the proxy (TLS handshake
 * included; the local TCP connect to the proxy is not).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client, ClientOptions, OnlineInfo } from "@clawxmpp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, serverKinds, startServer, tcpProxy, type XmppServer } from "../src/index.js";
import { nextEvent } from "./helpers.js";

const RUNS = 5;
const bench = process.env.CLAWXMPP_BENCH === "1";

interface Row {
  server: string;
  path: string;
  latency: number;
  flights: number;
  ms: number;
}
const rows: Row[] = [];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe.skipIf(!bench).each(serverKinds())("login bench on %s", (kind) => {
  let server: XmppServer;
  let dir: string;
  beforeAll(async () => {
    [server, dir] = await Promise.all([
      startServer({ kind }),
      mkdtemp(join(tmpdir(), "clawxmpp-bench-")),
    ]);
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function measure(
    latency: number,
    path: string,
    options: Partial<ClientOptions>,
    prepare?: () => Promise<void>,
    resume = false,
    direct = false,
  ): Promise<void> {
    const times: number[] = [];
    const flightCounts: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      await prepare?.();
      let flights = 0;
      let last: "toServer" | "toClient" | undefined;
      const proxy = await tcpProxy({
        targetPort: direct ? server.c2sDirectTlsPort : server.c2sPort,
        latencyMs: latency,
        transform: (chunk, direction) => {
          if (direction === "toServer" && last !== "toServer") flights++;
          last = direction;
          return chunk;
        },
      });
      const client: Client = clientFor(server, "alice", {
        port: proxy.port,
        reconnect: { initialDelay: 0, fastMaxDelay: 0 },
        ...options,
        ...(direct ? { tls: { mode: "direct" } } : {}),
      });
      try {
        let start = performance.now();
        await client.start();
        if (resume) {
          const online = nextEvent<OnlineInfo>(client, "online");
          flights = 0;
          last = undefined;
          start = performance.now();
          client.dropConnection();
          expect((await online).resumed).toBe(true);
        }
        times.push(performance.now() - start);
        flightCounts.push(flights);
        if (path.includes("FAST")) expect(client.stats.login?.fast).toBe(true);
      } finally {
        await client.stop();
        await proxy.close();
      }
    }
    rows.push({
      server: kind,
      path: direct ? `${path}, direct TLS` : path,
      latency,
      flights: median(flightCounts),
      ms: Math.round(median(times)),
    });
  }

  for (const latency of [0, 50]) {
    it(`login and resume paths, ${latency} ms each way`, async () => {
      await measure(latency, "SASL1 login", { login: { sasl2: false } });
      await measure(latency, "SASL1 resume", { login: { sasl2: false } }, undefined, true);
      if (kind === "prosody12") return;
      // Bind2 is off by default without archive catch-up (see `login.bind2`): the SASL2 rows ask
      // for it, and one row shows SASL2 with the RFC 6120 bind round trip it costs.
      await measure(latency, "SASL2 login (password), RFC 6120 bind", {
        login: { bind2: false, fast: { enabled: false } },
      });
      await measure(latency, "SASL2+Bind2 login (password)", {
        login: { bind2: true, fast: { enabled: false } },
      });
      const store = join(dir, `fast-${latency}.json`);
      const fast = { login: { bind2: true, fast: { store } } };
      const warm = async () => {
        const c = clientFor(server, "alice", fast);
        await c.start();
        await c.stop();
      };
      await measure(latency, "SASL2+Bind2 login (FAST)", fast, warm);
      await measure(latency, "SASL2 resume (FAST)", fast, warm, true);
      // XEP-0368 direct TLS drops the stream header and STARTTLS flights.
      await measure(latency, "SASL2+Bind2 login (FAST)", fast, warm, false, true);
    }, 300_000);
  }
});

afterAll(() => {
  if (!bench || rows.length === 0) return;
  const lines = [
    "| server | path | added latency (each way) | client flights | median ms |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.server} | ${r.path} | ${r.latency} ms | ${r.flights} | ${r.ms} |`),
  ];
  console.log(`\n${lines.join("\n")}\n`);
});
