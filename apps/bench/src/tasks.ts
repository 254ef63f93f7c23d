/** What the parent sends a worker process and what comes back. */
import type { Account, BaselineStanza, ServerInfo, Variant } from "./drivers.js";

/** Echo round trips: `warmup` unmeasured, then `count` measured, one at a time. */
export interface EchoParams {
  warmup: number;
  count: number;
  /** A round trip not answered within this is counted as lost. */
  timeoutMs: number;
}

/** One-way throughput: `count` messages as fast as the client allows. */
export interface ThroughputParams {
  warmup: number;
  count: number;
  /** Measured bursts; the reported rate is their median. */
  runs: number;
  /** Most sends awaiting their promise at once for the core (its queue is bounded, default 1000). */
  coreWindow: number;
  /** Give up when nothing arrives for this long. */
  idleTimeoutMs: number;
}

/** A job for one fresh worker process. */
export type Task =
  | {
      kind: "perf";
      variant: Variant;
      server: ServerInfo;
      /** sender, echo peer / receiver, login account. */
      accounts: [Account, Account, Account];
      echo: EchoParams;
      throughput: ThroughputParams;
      /** Measured logins; 0 skips the login measurement (rounds after the first). */
      logins: number;
      baselineStanza: BaselineStanza;
    }
  | { kind: "memory"; variant: Variant; server: ServerInfo; accounts: Account[] };

/** Echo result in milliseconds. */
export interface EchoResult {
  medianMs: number;
  p99Ms: number;
  meanMs: number;
  measured: number;
  lost: number;
  unexpected: number;
}

/** One measured burst. */
export interface ThroughputRun {
  messagesPerSecond: number;
  sent: number;
  received: number;
  duplicates: number;
  sendErrors: number;
  /** From the first send to the last send call returning (or its window slot). */
  sendPhaseMs: number;
  /** From the first send to the last message received. */
  totalMs: number;
  /** CPU time (user + system) of the process per message, sender and receiver together, µs. */
  cpuMicrosPerMessage: number;
  /** The server's CPU time per message received, µs (Linux; 10 ms resolution). */
  serverCpuMicrosPerMessage?: number;
}

/** Throughput result: the median rate over the runs. */
export interface ThroughputResult {
  messagesPerSecond: number;
  /** Median CPU per message (sent and received in this one process), µs. */
  cpuMicrosPerMessage: number;
  /** Median server CPU per message, µs, when it could be read. */
  serverCpuMicrosPerMessage?: number;
  runs: ThroughputRun[];
}

/** Login result in milliseconds. */
export interface LoginResult {
  medianMs: number;
  p90Ms: number;
  /** Median CPU time (user + system) of this process per login. */
  medianCpuMs: number;
  logins: number;
}

/** Memory result. */
export interface MemoryResult {
  clients: number;
  rssPerClientKiB: number;
  heapPerClientKiB: number;
  /** False when the worker ran without --expose-gc. */
  gc: boolean;
}

/** A worker's reply. */
export type TaskResult =
  | {
      kind: "perf";
      echo: EchoResult;
      throughput: ThroughputResult;
      /** Undefined when the task asked for no logins. */
      login?: LoginResult;
      anomalies: string[];
    }
  | { kind: "memory"; memory: MemoryResult; anomalies: string[] };
