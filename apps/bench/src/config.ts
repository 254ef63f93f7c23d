/** Benchmark settings from flags (`--echo 2000`) or environment (`BENCH_ECHO=2000`); flags win. */
import { parseArgs } from "node:util";
import { type BaselineStanza, VARIANTS, type Variant } from "./drivers.js";

/** Resolved settings of one run. */
export interface BenchConfig {
  echo: number;
  echoWarmup: number;
  messages: number;
  messagesWarmup: number;
  throughputRuns: number;
  /** Interleaved rounds of the echo and throughput workers (logins are measured in the first). */
  rounds: number;
  coreWindow: number;
  logins: number;
  clients: number;
  variants: Variant[];
  /** What the xmpp.js baselines send (see {@link BaselineStanza}). */
  baselineStanza: BaselineStanza;
  out: string;
  /** Hard limit per worker process. */
  workerTimeoutMs: number;
}

const numeric = {
  echo: ["BENCH_ECHO", 1000],
  "echo-warmup": ["BENCH_ECHO_WARMUP", 200],
  messages: ["BENCH_MESSAGES", 5000],
  "messages-warmup": ["BENCH_MESSAGES_WARMUP", 500],
  "throughput-runs": ["BENCH_THROUGHPUT_RUNS", 5],
  rounds: ["BENCH_ROUNDS", 3],
  "core-window": ["BENCH_CORE_WINDOW", 900],
  logins: ["BENCH_LOGINS", 10],
  clients: ["BENCH_CLIENTS", 50],
  "worker-timeout": ["BENCH_WORKER_TIMEOUT_MS", 300_000],
} as const;

type NumericFlag = keyof typeof numeric;

/** Parses `argv` (without node and script) and `env`. Throws on bad values. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): BenchConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(Object.keys(numeric).map((k) => [k, { type: "string" as const }])),
      variants: { type: "string" },
      "baseline-stanza": { type: "string" },
      out: { type: "string" },
    },
    strict: true,
  });
  const num = (flag: NumericFlag): number => {
    const [envName, def] = numeric[flag];
    const raw = (values as Record<string, string | undefined>)[flag] ?? env[envName];
    if (raw === undefined) return def;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${flag} must be a positive integer`);
    return value;
  };
  const variantList = (values.variants ?? env.BENCH_VARIANTS ?? VARIANTS.join(","))
    .split(",")
    .map((v) => v.trim());
  for (const v of variantList) {
    if (!VARIANTS.includes(v as Variant))
      throw new Error(`unknown variant "${v}"; use ${VARIANTS.join(", ")}`);
  }
  const baselineStanza = values["baseline-stanza"] ?? env.BENCH_BASELINE_STANZA ?? "same";
  if (baselineStanza !== "same" && baselineStanza !== "minimal")
    throw new Error(`--baseline-stanza must be "same" or "minimal", not "${baselineStanza}"`);
  return {
    echo: num("echo"),
    echoWarmup: num("echo-warmup"),
    messages: num("messages"),
    messagesWarmup: num("messages-warmup"),
    throughputRuns: num("throughput-runs"),
    rounds: num("rounds"),
    coreWindow: num("core-window"),
    logins: num("logins"),
    clients: num("clients"),
    variants: variantList as Variant[],
    baselineStanza,
    out: values.out ?? env.BENCH_OUT ?? "results/latest.json",
    workerTimeoutMs: num("worker-timeout"),
  };
}
