/**
 * `pnpm bench soak`: the soak of issue #18 at length. Two core clients send
 * each other messages at `--rate` per second in both directions while Prosody
 * is SIGKILLed and restarted `--cycles` times at random intervals, with MAM and
 * archive catch-up and without. Prints the figures and writes them into the
 * marked section of `apps/bench/README.md`; exits 1 when a run lost,
 * duplicated or refused a message, or a client came back later than 1 s.
 */
import { readFile, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  formatSoak,
  runSoak,
  SERVER_KINDS,
  type ServerKind,
  type SoakResult,
  seedFrom,
  startServer,
} from "@clawxmpp/integration";

const README = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), "README.md");
const START = "<!-- soak:start -->";
const END = "<!-- soak:end -->";
const RECONNECT_LIMIT_MS = 1_000;

/** Settings of `bench soak`. */
interface SoakConfig {
  cycles: number;
  rate: number;
  seed: number;
  uptimeMs: [number, number];
  /** After the last restart, this long without a new message ends the run. */
  quietMs: number;
  mam: boolean[];
  /** Servers to run against, in order (each with every MAM setting). */
  servers: ServerKind[];
  writeReadme: boolean;
}

/** One soak run and the server it ran on. */
interface SoakRun {
  server: string;
  result: SoakResult;
}

function loadSoakConfig(argv: string[], env: NodeJS.ProcessEnv): SoakConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      cycles: { type: "string" },
      rate: { type: "string" },
      seed: { type: "string" },
      "min-uptime": { type: "string" },
      "max-uptime": { type: "string" },
      quiet: { type: "string" },
      mam: { type: "string" },
      server: { type: "string" },
      "no-readme": { type: "boolean" },
    },
    strict: true,
  });
  const positive = (raw: string | undefined, def: number, flag: string): number => {
    if (raw === undefined) return def;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${flag} must be a positive integer`);
    return value;
  };
  const mam = values.mam ?? env.SOAK_MAM ?? "both";
  if (!["both", "on", "off"].includes(mam)) throw new Error("--mam must be both, on or off");
  const uptimeMs: [number, number] = [
    positive(values["min-uptime"] ?? env.SOAK_MIN_UPTIME_MS, 1_000, "min-uptime"),
    positive(values["max-uptime"] ?? env.SOAK_MAX_UPTIME_MS, 6_000, "max-uptime"),
  ];
  if (uptimeMs[0] > uptimeMs[1]) throw new Error("--min-uptime must not exceed --max-uptime");
  const serverList = values.server ?? env.SOAK_SERVER ?? "prosody12";
  const servers = (serverList === "all" ? [...SERVER_KINDS] : serverList.split(",")).map((s) =>
    s.trim(),
  );
  for (const s of servers) {
    if (!(SERVER_KINDS as readonly string[]).includes(s))
      throw new Error(`--server: unknown server "${s}"; use ${SERVER_KINDS.join(", ")} or all`);
  }
  return {
    cycles: positive(values.cycles ?? env.SOAK_CYCLES, 100, "cycles"),
    rate: positive(values.rate ?? env.SOAK_RATE, 100, "rate"),
    seed: seedFrom(values.seed ?? env.SOAK_SEED),
    uptimeMs,
    quietMs: positive(values.quiet ?? env.SOAK_QUIET_MS, 3_000, "quiet"),
    mam: mam === "both" ? [true, false] : [mam === "on"],
    servers: servers as ServerKind[],
    writeReadme: values["no-readme"] !== true,
  };
}

/** Runs `bench soak` with the arguments after `soak`. */
export async function soakCommand(argv: string[]): Promise<void> {
  const config = loadSoakConfig(argv, process.env);
  const log = (line: string) => process.stderr.write(`[soak] ${line}\n`);
  log(`seed ${config.seed} (replay with --seed ${config.seed})`);
  const results: SoakRun[] = [];
  for (const kind of config.servers) {
    for (const mam of config.mam) {
      const server = await startServer({ kind, mam });
      const label = `${kind} ${server.version}`;
      try {
        log(`${label}, MAM ${mam ? "on, archive catch-up on" : "off"}: ${config.cycles} cycles`);
        const result = await runSoak({
          server,
          cycles: config.cycles,
          rate: config.rate,
          seed: config.seed,
          uptimeMs: config.uptimeMs,
          quietMs: config.quietMs,
          settleMs: Math.max(20_000, config.quietMs * 2),
          catchUp: mam,
          log,
        });
        results.push({ server: label, result });
        process.stdout.write(`${label}: ${formatSoak(result)}\n`);
      } finally {
        await server.stop();
      }
    }
  }
  const section = soakSection(results, config);
  process.stdout.write(`\n${section}\n`);
  if (config.writeReadme) {
    await writeSection(section);
    process.stdout.write(`written to ${README}\n`);
  }
  if (!results.every((r) => clean(r.result))) process.exitCode = 1;
}

function clean(result: SoakResult): boolean {
  return (
    result.directions.every(
      (d) => d.rejected === 0 && d.unsettled === 0 && d.undelivered === 0 && d.duplicated === 0,
    ) &&
    result.missedReconnects.length === 0 &&
    result.reconnectMaxMs <= RECONNECT_LIMIT_MS
  );
}

function soakSection(runs: SoakRun[], config: SoakConfig): string {
  const results = runs.map((r) => r.result);
  const ms = (value: number) => (Number.isNaN(value) ? "n/a" : String(Math.round(value)));
  const both = (r: SoakResult, pick: (d: SoakResult["directions"][0]) => number) =>
    r.directions.map(pick).join(" / ");
  const rows = runs.map(({ server, result: r }) => [
    server,
    r.catchUp ? "on (+ catch-up)" : "off",
    both(r, (d) => d.sent),
    both(r, (d) => d.rejected),
    both(r, (d) => d.unsettled),
    both(r, (d) => d.undelivered),
    both(r, (d) => d.duplicated),
    ms(r.reconnectMedianMs),
    ms(r.reconnectMaxMs),
    String(r.missedReconnects.length),
    clean(r) ? "yes" : "**no**",
  ]);
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return [
    `Run of ${new Date().toISOString().slice(0, 10)}: ${config.cycles} SIGKILL + restart cycles, ${config.rate} msg/s each way, uptime ${config.uptimeMs[0]}–${config.uptimeMs[1]} ms before each kill, seed ${config.seed} (${cpus().length} × ${cpu}, Node ${process.version}). Pairs are ${results[0]?.directions.map((d) => d.label).join(" / ") ?? ""}.`,
    "",
    alignedTable(
      [
        "server",
        "MAM",
        "sent",
        "rejected",
        "unsettled",
        "acked, undelivered",
        "duplicated",
        "reconnect median (ms)",
        "reconnect max (ms)",
        "missed reconnects",
        "clean",
      ],
      rows,
    ),
  ].join("\n");
}

/** A Markdown table with padded columns, as the repository's formatter (biome) writes them. */
function alignedTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

async function writeSection(section: string): Promise<void> {
  const text = await readFile(README, "utf8");
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const block = `${START}\n${section}\n${END}`;
  const next =
    start !== -1 && end > start
      ? `${text.slice(0, start)}${block}${text.slice(end + END.length)}`
      : `${text.trimEnd()}\n\n## Soak\n\n${block}\n`;
  await writeFile(README, next);
}
