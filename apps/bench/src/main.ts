/**
 * `pnpm --filter @clawxmpp/bench bench`: one throwaway Prosody (MAM off, no
 * rate limits), the core and two xmpp.js baselines measured on it in the same
 * run, each task in a fresh worker process; a table on stdout and JSON in
 * results/latest.json. `bench soak` runs the kill/restart soak instead (see soak.ts),
 * `bench fuzz` the fuzz engine (see fuzz.ts), `bench omemo` the OMEMO curve
 * bench (see omemo-bench.ts), `bench channel` the OpenClaw channel's overhead
 * per turn (see channel-bench.ts).
 */
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startProsody } from "@clawxmpp/integration";
import { channelBench } from "./channel-bench.js";
import { componentBench } from "./component-bench.js";
import { loadConfig } from "./config.js";
import { type Account, type ServerInfo, VARIANT_LABELS, type Variant } from "./drivers.js";
import { fuzzCommand } from "./fuzz.js";
import { omemoBench } from "./omemo-bench.js";
import { markdownTable, ratioRows, type VariantResults } from "./report.js";
import { mergeEcho, mergeThroughput, type RoundResult, roundRatios } from "./rounds.js";
import { runWorker } from "./run-worker.js";
import { soakCommand } from "./soak.js";
import type { MemoryResult } from "./tasks.js";

const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");

async function main(): Promise<void> {
  if (process.argv[2] === "soak") {
    await soakCommand(process.argv.slice(3));
    return;
  }
  // `bench component`: the XEP-0114 component bench (component-bench.ts).
  if (process.argv[2] === "component") return componentBench(process.argv.slice(3));
  // `bench channel`: the OpenClaw channel's overhead per turn (channel-bench.ts).
  if (process.argv[2] === "channel") return channelBench(process.argv.slice(3));
  // `bench omemo`: native vs pure-JS curve for OMEMO (omemo-bench.ts), no server.
  if (process.argv[2] === "omemo") return omemoBench(process.argv.slice(3));
  if (process.argv[2] === "omemo2")
    return (await import("./omemo2-bench.js")).omemo2Bench(process.argv.slice(3));
  const config = loadConfig(process.argv.slice(2), process.env);
  const memoryUsers = Array.from(
    { length: config.clients },
    (_, i) => `m${String(i).padStart(2, "0")}`,
  );
  const users = ["sender", "peer", "login", ...memoryUsers];
  const started = Date.now();
  const server = await startProsody({
    mam: false,
    accounts: Object.fromEntries(users.map((u) => [u, u])),
  });
  const log = (line: string) =>
    process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);
  try {
    const info: ServerInfo = {
      host: server.host,
      port: server.c2sPort,
      domain: server.domain,
      caCert: server.caCert,
      ...(server.pid === undefined ? {} : { serverPid: server.pid }),
    };
    const caFile = join(server.dir, "ca.crt");
    const account = (user: string): Account => {
      const a = server.accounts[user];
      if (!a) throw new Error(`account ${user} missing`);
      return a;
    };
    const results: Partial<Record<Variant, VariantResults>> = {};
    const perRound: Partial<Record<Variant, (RoundResult | undefined)[]>> = {};
    for (const variant of config.variants) {
      results[variant] = { anomalies: [] };
      perRound[variant] = [];
    }
    // Interleaved: every round runs each client once, in the same order (see rounds.ts).
    for (let round = 1; round <= config.rounds; round++) {
      for (const variant of config.variants) {
        const r = results[variant] as VariantResults;
        const mine = perRound[variant] as (RoundResult | undefined)[];
        const logins = round === 1 ? config.logins : 0;
        log(
          `round ${round}/${config.rounds}, ${VARIANT_LABELS[variant]}: echo, throughput${logins > 0 ? ", login" : ""}`,
        );
        try {
          const perf = await runWorker(
            {
              kind: "perf",
              variant,
              server: info,
              accounts: [account("sender"), account("peer"), account("login")],
              echo: { warmup: config.echoWarmup, count: config.echo, timeoutMs: 5_000 },
              throughput: {
                warmup: config.messagesWarmup,
                count: config.messages,
                runs: config.throughputRuns,
                coreWindow: config.coreWindow,
                idleTimeoutMs: 10_000,
              },
              logins,
              baselineStanza: config.baselineStanza,
            },
            caFile,
            config.workerTimeoutMs,
          );
          if (perf.kind === "perf") {
            mine.push({ echo: perf.echo, throughput: perf.throughput });
            if (perf.login) r.login = perf.login;
          } else mine.push(undefined);
          r.anomalies.push(...perf.anomalies.map((a) => `round ${round}: ${a}`));
        } catch (error) {
          mine.push(undefined);
          r.anomalies.push(`round ${round}: ${(error as Error).message}`);
        }
      }
    }
    for (const variant of config.variants) {
      const r = results[variant] as VariantResults;
      const done = (perRound[variant] ?? []).filter((x): x is RoundResult => x !== undefined);
      if (done.length === 0) continue;
      r.echo = mergeEcho(done.map((x) => x.echo));
      r.throughput = mergeThroughput(done.map((x) => x.throughput));
    }
    for (const variant of config.variants) {
      const r = results[variant] as VariantResults;
      log(`${VARIANT_LABELS[variant]}: memory with ${config.clients} clients`);
      try {
        const mem = await runWorker(
          { kind: "memory", variant, server: info, accounts: memoryUsers.map(account) },
          caFile,
          config.workerTimeoutMs,
        );
        if (mem.kind === "memory") r.memory = mem.memory;
        r.anomalies.push(...mem.anomalies);
      } catch (error) {
        r.anomalies.push((error as Error).message);
      }
    }

    // Diagnostic: the same core trusting the CA through NODE_EXTRA_CA_CERTS instead of `tls.ca`.
    let coreWithoutTlsCa: MemoryResult | undefined;
    if (config.variants.includes("core")) {
      log("diagnostic: core memory without tls.ca (CA from NODE_EXTRA_CA_CERTS)");
      try {
        const { caCert: _omitted, ...withoutCa } = info;
        const mem = await runWorker(
          {
            kind: "memory",
            variant: "core",
            server: withoutCa,
            accounts: memoryUsers.map(account),
          },
          caFile,
          config.workerTimeoutMs,
        );
        if (mem.kind === "memory") coreWithoutTlsCa = mem.memory;
      } catch (error) {
        results.core?.anomalies.push(`diagnostic: ${(error as Error).message}`);
      }
    }

    const rows = ratioRows(results);
    const table = markdownTable(rows);
    const report = {
      date: new Date().toISOString(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        node: process.version,
        prosody: prosodyVersion(),
      },
      config,
      results,
      rounds: perRound,
      diagnostics: { coreMemoryWithoutTlsCa: coreWithoutTlsCa },
      ratios: rows,
      table,
    };
    const out = isAbsolute(config.out) ? config.out : join(PACKAGE_DIR, config.out);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(
      `\n${table}\n\nratios are core ÷ baseline: below 1 is better except for ↑ rows\n`,
    );
    for (const base of ["xmppjs-nodelay", "xmppjs"] as const) {
      if (!config.variants.includes(base) || !config.variants.includes("core")) continue;
      const rr = roundRatios(perRound, base);
      const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(", ");
      process.stdout.write(
        `per round, core ÷ ${VARIANT_LABELS[base]}: throughput ${list(rr.throughput)}; echo median ${list(rr.echoMedian)}; echo p99 ${list(rr.echoP99)}\n`,
      );
    }
    process.stdout.write(`xmpp.js baselines sent the ${config.baselineStanza} stanza\n`);
    if (coreWithoutTlsCa) {
      process.stdout.write(
        `diagnostic: core without tls.ca (CA via NODE_EXTRA_CA_CERTS): ${coreWithoutTlsCa.rssPerClientKiB.toFixed(0)} KiB RSS, ${coreWithoutTlsCa.heapPerClientKiB.toFixed(1)} KiB heap per client\n`,
      );
    }
    for (const [variant, r] of Object.entries(results)) {
      for (const a of r.anomalies) process.stdout.write(`anomaly [${variant}]: ${a}\n`);
      const t = r.throughput;
      if (t) process.stdout.write(`[${variant}] throughput detail: ${JSON.stringify(t)}\n`);
      if (r.echo) process.stdout.write(`[${variant}] echo detail: ${JSON.stringify(r.echo)}\n`);
    }
    process.stdout.write(`\nwritten to ${out} (${report.durationSeconds} s)\n`);
  } finally {
    await server.stop();
  }
}

function prosodyVersion(): string | undefined {
  try {
    // `dpkg-query -W prosody` prints "prosody<TAB>version".
    const line = execFileSync("dpkg-query", ["-W", "prosody"], { encoding: "utf8" });
    return line.trim().split("\t")[1];
  } catch {
    return undefined;
  }
}

const [command, ...rest] = process.argv.slice(2);
const run =
  command === "fuzz"
    ? async () => {
        process.exitCode = await fuzzCommand(rest);
      }
    : main;
run().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
