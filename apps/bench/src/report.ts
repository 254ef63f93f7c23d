/** The results table (Markdown, printed and pasted into the README) and the ratios in the JSON. */
import { VARIANT_LABELS, type Variant } from "./drivers.js";
import { round } from "./stats.js";
import type { EchoResult, LoginResult, MemoryResult, ThroughputResult } from "./tasks.js";

/** Everything measured for one variant. */
export interface VariantResults {
  echo?: EchoResult;
  throughput?: ThroughputResult;
  login?: LoginResult;
  memory?: MemoryResult;
  anomalies: string[];
}

interface Metric {
  name: string;
  better: "lower" | "higher";
  pick(r: VariantResults): number | undefined;
}

const METRICS: Metric[] = [
  { name: "echo round trip, median (ms)", better: "lower", pick: (r) => r.echo?.medianMs },
  { name: "echo round trip, p99 (ms)", better: "lower", pick: (r) => r.echo?.p99Ms },
  {
    name: "one-way throughput (msg/s)",
    better: "higher",
    pick: (r) => r.throughput?.messagesPerSecond,
  },
  {
    name: "CPU per message, sent + received (µs)",
    better: "lower",
    pick: (r) => r.throughput?.cpuMicrosPerMessage,
  },
  {
    name: "server CPU per message (µs)",
    better: "lower",
    pick: (r) => r.throughput?.serverCpuMicrosPerMessage,
  },
  { name: "login start→online, median (ms)", better: "lower", pick: (r) => r.login?.medianMs },
  { name: "login CPU time, median (ms)", better: "lower", pick: (r) => r.login?.medianCpuMs },
  {
    name: "RSS per connected client (KiB)",
    better: "lower",
    pick: (r) => r.memory?.rssPerClientKiB,
  },
  {
    name: "JS heap per connected client (KiB)",
    better: "lower",
    pick: (r) => r.memory?.heapPerClientKiB,
  },
];

/** One row of ratios: core ÷ baseline (below 1 is better for times and memory, above 1 for throughput). */
export interface RatioRow {
  metric: string;
  better: "lower" | "higher";
  values: Partial<Record<Variant, number>>;
  coreVsShipped: number | undefined;
  coreVsNoDelay: number | undefined;
}

/** Computes the rows. */
export function ratioRows(results: Partial<Record<Variant, VariantResults>>): RatioRow[] {
  return METRICS.map((metric) => {
    const values: Partial<Record<Variant, number>> = {};
    for (const [variant, r] of Object.entries(results) as [Variant, VariantResults][]) {
      const v = metric.pick(r);
      if (v !== undefined && Number.isFinite(v)) values[variant] = v;
    }
    const ratio = (base: Variant) => {
      const core = values.core;
      const b = values[base];
      return core === undefined || b === undefined || b === 0 ? undefined : core / b;
    };
    return {
      metric: metric.name,
      better: metric.better,
      values,
      coreVsShipped: ratio("xmppjs"),
      coreVsNoDelay: ratio("xmppjs-nodelay"),
    };
  });
}

const fmt = (v: number | undefined, digits = 2) => {
  if (v === undefined) return "—";
  if (Math.abs(v) >= 100) return String(Math.round(v));
  return String(round(v, digits));
};

/** A Markdown table of the rows. */
export function markdownTable(rows: RatioRow[]): string {
  const header = [
    "metric",
    VARIANT_LABELS.core,
    VARIANT_LABELS.xmppjs,
    VARIANT_LABELS["xmppjs-nodelay"],
    "core ÷ shipped",
    "core ÷ NODELAY",
  ];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => " --- ").join("|")}|`];
  for (const row of rows) {
    lines.push(
      `| ${[
        `${row.metric}${row.better === "higher" ? " ↑" : ""}`,
        fmt(row.values.core),
        fmt(row.values.xmppjs),
        fmt(row.values["xmppjs-nodelay"]),
        fmt(row.coreVsShipped, 3),
        fmt(row.coreVsNoDelay, 3),
      ].join(" | ")} |`,
    );
  }
  return lines.join("\n");
}
