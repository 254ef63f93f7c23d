/**
 * A real OpenClaw gateway for end-to-end tests: isolated HOME/state/config in a
 * temporary directory, loopback-only, token auth, heartbeats off, run on the
 * cached Node 24. `cli()` runs the openclaw CLI against the same state, which
 * works with or without the gateway running.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "../src/ports.js";
import { type RpcCallOptions, type RpcClient, startRpcClient } from "./rpc-client.js";
import { ensureToolchain, type RunResult, run, type Toolchain } from "./toolchain.js";

/** An isolated OpenClaw home: HOME, state dir and config file, plus a CLI bound to them. */
export interface OpenclawHome {
  /** Root temporary directory. */
  dir: string;
  homeDir: string;
  stateDir: string;
  configPath: string;
  /** Gateway file log (`logging.file`). */
  logFile: string;
  toolchain: Toolchain;
  /** Environment for every openclaw process of this home. */
  env: NodeJS.ProcessEnv;
  /** Runs `openclaw <args>`; never throws on a non-zero exit (check `code`). */
  cli(args: readonly string[], options?: { timeoutMs?: number }): Promise<RunResult>;
  readConfig(): Record<string, unknown>;
  writeConfig(config: Record<string, unknown>): void;
}

/** Options of {@link createOpenclawHome}. */
export interface OpenclawHomeOptions {
  /** Root directory (created); default: a new temporary directory. */
  dir?: string;
  /** State directory (`OPENCLAW_STATE_DIR`); default `<dir>/state`. */
  stateDir?: string;
  toolchain?: Toolchain;
  /** Extra environment (e.g. `NODE_EXTRA_CA_CERTS`). */
  env?: NodeJS.ProcessEnv;
}

/** Creates an isolated home; installs the toolchain first if needed. */
export async function createOpenclawHome(options: OpenclawHomeOptions = {}): Promise<OpenclawHome> {
  const toolchain = options.toolchain ?? (await ensureToolchain());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "clawxmpp-openclaw-"));
  const homeDir = join(dir, "home");
  const stateDir = options.stateDir ?? join(dir, "state");
  const configPath = join(stateDir, "openclaw.json");
  const logFile = join(dir, "gateway-file.log");
  mkdirSync(homeDir, { recursive: true });
  mkdirSync(stateDir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...hostEnv(),
    ...options.env,
    PATH: `${toolchain.nodeBinDir}:${process.env.PATH ?? ""}`,
    HOME: homeDir,
    OPENCLAW_HOME: homeDir,
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_CONFIG_PATH: configPath,
    OPENCLAW_NO_AUTO_UPDATE: "1",
    OPENCLAW_DISABLE_BONJOUR: "1",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
  };
  const home: OpenclawHome = {
    dir,
    homeDir,
    stateDir,
    configPath,
    logFile,
    toolchain,
    env,
    cli: (args, cliOptions = {}) =>
      run(toolchain.node, [toolchain.openclawEntry, ...args], {
        env,
        cwd: dir,
        timeoutMs: cliOptions.timeoutMs ?? 120_000,
      }),
    readConfig: () => {
      try {
        return JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>;
      } catch {
        return {};
      }
    },
    writeConfig: (config) => writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`),
  };
  return home;
}

/**
 * The test process's environment minus what would change openclaw's behaviour:
 * openclaw checks `VITEST`/`NODE_ENV=test` in ~100 places (e.g. it then prints
 * nothing to the console), and vitest sets both in its workers.
 */
function hostEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|JEST_|TEST$|NODE_ENV$|NODE_OPTIONS$|OPENCLAW_)/u.test(key)) continue;
    env[key] = value;
  }
  return env;
}

/** Options of {@link startGateway}. */
export interface GatewayOptions extends OpenclawHomeOptions {
  /** An existing home (e.g. one where a plugin was installed); default: a new one. */
  home?: OpenclawHome;
  /** Config merged over the existing config file and the test defaults. */
  config?: Record<string, unknown>;
  /** Gateway port; default a free loopback port. */
  port?: number;
  /** Time allowed until the gateway has started (see `STARTED`). @default 90000 */
  readyTimeoutMs?: number;
}

/** A running gateway. */
export interface Gateway {
  home: OpenclawHome;
  port: number;
  token: string;
  /** PID of the gateway process (also its process group). */
  readonly pid: number;
  /** Milliseconds from spawn to the end of startup, of the last start. */
  readonly startMs: number;
  /** Console output of the current run (stdout + stderr). */
  output(): string;
  /**
   * The last `lines` lines of the gateway's file log (`logging.file`, debug lines included when
   * `logging.level` is debug) and of its console output: what a failing test prints.
   */
  logTail(lines?: number): string;
  /** Resolves when the console output matches `pattern`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /**
   * Resolves when the file log (`logging.file`, raw JSON lines; debug lines need `logging.level:
   * "debug"`) matches `pattern` after its first `from` characters (`logSize()` taken earlier).
   */
  waitForLog(pattern: RegExp, options?: { from?: number; timeoutMs?: number }): Promise<void>;
  /** The file log's current length in characters (a `from` for `waitForLog`). */
  logSize(): number;
  /** Runs `openclaw <args>` against this gateway's state. */
  cli(args: readonly string[], options?: { timeoutMs?: number }): Promise<RunResult>;
  /**
   * Calls a gateway RPC method the way `openclaw gateway call <method> --json` does (OpenClaw's
   * own `callGatewayFromCli`, in one long-lived client process: see `rpc-client.ts`), e.g.
   * `channels.pairing.approve` (the approval path that notifies the requester, unlike
   * `pairing approve --notify` from the CLI); rejects when the call fails.
   */
  call(
    method: string,
    params?: Record<string, unknown>,
    options?: RpcCallOptions,
  ): Promise<unknown>;
  /** SIGTERM (or `signal`), then SIGKILL after `timeoutMs`; resolves with the time to exit. */
  stop(options?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<{ ms: number }>;
  /** Stops and starts again with the same home and config; resolves with the new start time. */
  restart(): Promise<{ ms: number }>;
}

const TEST_TOKEN = "e2e-test-token-0123456789abcdef";

/**
 * Startup is complete at `[gateway] ready`, or at `[gateway] startup outcomes:`
 * when readiness fails: the gateway counts channel accounts in its readiness,
 * so a blocked account (e.g. a wrong password) means "ready" is never logged.
 */
const STARTED = /\[gateway\]\s+(?:ready\b|startup outcomes:)/u;

/** The config every e2e gateway gets (caller config is merged over it). */
export function baseGatewayConfig(home: OpenclawHome, port: number): Record<string, unknown> {
  return {
    gateway: { mode: "local", bind: "loopback", port, auth: { mode: "token", token: TEST_TOKEN } },
    agents: { defaults: { heartbeat: { every: "0m" } } },
    session: { dmScope: "per-channel-peer" },
    logging: { file: home.logFile },
  };
}

/** Starts a gateway and waits until it is ready. */
export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const home = options.home ?? (await createOpenclawHome(options));
  const port = options.port ?? (await freePorts(1))[0]!;
  home.writeConfig(
    deepMerge(deepMerge(home.readConfig(), baseGatewayConfig(home, port)), options.config ?? {}),
  );
  const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
  let child: ChildProcess;
  let output = "";
  let startMs = 0;
  let exited: Promise<void> = Promise.resolve();
  /** Started by the first `call()`; ended with the gateway. */
  let rpc: RpcClient | undefined;

  const launch = async (): Promise<void> => {
    output = "";
    const started = Date.now();
    child = spawn(
      home.toolchain.node,
      [
        home.toolchain.openclawEntry,
        "gateway",
        "run",
        "--port",
        String(port),
        "--bind",
        "loopback",
      ],
      { env: home.env, cwd: home.dir, stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    const current = child;
    exited = new Promise((resolve) => current.once("exit", () => resolve()));
    const console = createWriteStream(join(home.dir, "gateway-console.log"), { flags: "a" });
    current.once("exit", () => console.end());
    const collect = (chunk: string) => {
      output += chunk;
      console.write(chunk);
    };
    current.stdout?.setEncoding("utf8").on("data", collect);
    current.stderr?.setEncoding("utf8").on("data", collect);
    try {
      await waitFor(
        () => STARTED.test(stripAnsi(output)),
        readyTimeoutMs,
        () =>
          current.exitCode !== null || current.signalCode !== null
            ? `gateway exited (${current.exitCode ?? current.signalCode}) before ready`
            : undefined,
      );
    } catch (error) {
      killGroup(current, "SIGKILL");
      throw new Error(`${(error as Error).message}\n--- gateway output ---\n${tail(output)}`);
    }
    startMs = Date.now() - started;
  };

  const stop = async ({
    signal = "SIGTERM",
    timeoutMs = 15_000,
  }: {
    signal?: NodeJS.Signals;
    timeoutMs?: number;
  } = {}): Promise<{ ms: number }> => {
    const started = Date.now();
    rpc?.close();
    rpc = undefined;
    const current = child;
    if (current.exitCode === null && current.signalCode === null) {
      current.kill(signal);
      const timer = setTimeout(() => killGroup(current, "SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
    }
    // Workers the gateway spawned share its process group; none may outlive a test.
    killGroup(current, "SIGKILL");
    return { ms: Date.now() - started };
  };

  await launch();
  return {
    home,
    port,
    token: TEST_TOKEN,
    get pid() {
      return child.pid ?? -1;
    },
    get startMs() {
      return startMs;
    },
    output: () => stripAnsi(output),
    logTail: (lines = 80) => {
      let file = "";
      try {
        file = readableLog(readFileSync(home.logFile, "utf8"));
      } catch {
        file = "(no file log)";
      }
      return `--- gateway file log (${home.logFile}) ---\n${tail(file, lines)}\n--- gateway console ---\n${tail(stripAnsi(output), lines)}`;
    },
    waitForOutput: (pattern, timeoutMs = 30_000) =>
      waitFor(
        () => pattern.test(stripAnsi(output)),
        timeoutMs,
        () => undefined,
      ).catch((error: Error) => {
        throw new Error(`${error.message}: ${pattern}\n${tail(stripAnsi(output))}`);
      }),
    waitForLog: (pattern, { from = 0, timeoutMs = 30_000 } = {}) =>
      waitFor(
        () => pattern.test(readLog(home.logFile).slice(from)),
        timeoutMs,
        () => undefined,
        250,
      ).catch((error: Error) => {
        throw new Error(`${error.message}: ${pattern} in ${home.logFile}`);
      }),
    logSize: () => readLog(home.logFile).length,
    cli: (args, cliOptions) => home.cli(args, cliOptions),
    call: (method, params = {}, callOptions) => {
      rpc ??= startRpcClient(home.toolchain, home.env, home.dir);
      return rpc.call(method, params, callOptions).catch((error: Error) => {
        throw new Error(`gateway call ${method} failed: ${error.message}`);
      });
    },
    stop,
    restart: async () => {
      await stop();
      await launch();
      return { ms: startMs };
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function waitFor(
  done: () => boolean,
  timeoutMs: number,
  failure: () => string | undefined,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    const reason = failure();
    if (reason !== undefined) throw new Error(reason);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function readLog(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/**
 * The gateway's JSON-lines file log as `time level [subsystem] message` lines,
 * without the SQLite housekeeping that drowns everything at debug level.
 */
export function readableLog(jsonLines: string): string {
  const out: string[] = [];
  for (const line of jsonLines.split("\n")) {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      if (line.trim() !== "") out.push(line);
      continue;
    }
    const meta = (entry._meta ?? {}) as { logLevelName?: string; name?: string };
    let subsystem = "";
    try {
      subsystem = String(
        (JSON.parse(String(entry["0"])) as { subsystem?: string }).subsystem ?? "",
      );
    } catch {
      // the first field is the message itself
    }
    if (/sqlite/u.test(subsystem)) continue;
    const message = String(entry.message ?? (subsystem === "" ? entry["0"] : entry["1"]) ?? "");
    const time = String(entry.time ?? "").slice(11, 23);
    out.push(`${time} ${meta.logLevelName ?? ""} [${subsystem}] ${message}`);
  }
  return out.join("\n");
}

/** Removes ANSI colour codes. */
export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
  return text.replace(/\u001b\[[0-9;]*m/gu, "");
}

function tail(text: string, lines = 40): string {
  return text.split("\n").slice(-lines).join("\n");
}

/** Recursive merge of plain objects; arrays and scalars from `over` replace. */
export function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The row of `accountId` of `channel` in `openclaw channels status --json`
 * output (wherever the gateway nests it), or undefined.
 */
export function findChannelAccount(
  value: unknown,
  channel = "xmpp",
  accountId = "default",
  inChannel = false,
): Record<string, unknown> | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findChannelAccount(item, channel, accountId, inChannel);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (inChannel && record.accountId === accountId && "lifecycle" in record) return record;
  for (const [key, child] of Object.entries(record)) {
    const found = findChannelAccount(
      child,
      channel,
      accountId,
      inChannel || key === channel || record.channel === channel,
    );
    if (found) return found;
  }
  return undefined;
}
