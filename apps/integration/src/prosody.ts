/**
 * A throwaway Prosody for tests and the demo: fresh temp dir, generated CA and
 * certificate, free loopback ports, foreground child process, accounts ready
 * before `startProsody` resolves, everything removed on `stop()`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prosodyConfig } from "./prosody-config.js";
import { readyOrThrow } from "./readiness.js";
import { killOnExit } from "./running-servers.js";
import { prosody12Program, prosody13Program } from "./server-binaries.js";
import { serverInstance } from "./server-instance.js";
import type { XmppServer } from "./server-kind.js";
import { accountRegistry, prepareServer } from "./server-setup.js";
import type { TestComponentSpec } from "./test-components.js";

/** Options of {@link startProsody}. */
export interface ProsodyOptions {
  /** Accounts to create, user name → password. @default alice, bob, bot (password = user name) */
  accounts?: Record<string, string>;
  /** XMPP domain. @default "localhost" */
  domain?: string;
  /** c2s TLS policy. @default "required" */
  tls?: "required" | "optional" | "off";
  /** Message archive (MAM). Off for benchmarks: it makes Prosody the bottleneck. @default true */
  mam?: boolean;
  /** How long a broken XEP-0198 session stays resumable, in seconds. @default 60 */
  smacksHibernationSeconds?: number;
  /** HTTP file share size limit in bytes. @default 1 MiB */
  uploadSizeLimit?: number;
  /** Extra Lua for the global section. */
  extraGlobal?: string;
  /** Extra modules to enable globally, e.g. `["privilege", "delegation"]` from prosody-modules. */
  extraModules?: readonly string[];
  /**
   * XEP-0114 components to accept (Prosody: `Component` sections; ejabberd: `ejabberd_service`),
   * with their XEP-0356/XEP-0355 grants. @default []
   */
  components?: readonly TestComponentSpec[];
  /** Keep the directory on stop (debugging). @default false */
  keep?: boolean;
}

/** A running test server. */
export interface ProsodyInstance {
  domain: string;
  /** Always 127.0.0.1. */
  host: string;
  c2sPort: number;
  /** XEP-0368 direct TLS port. */
  c2sDirectTlsPort: number;
  httpPort: number;
  mucDomain: string;
  uploadDomain: string;
  /** Created accounts, user name → { jid, password }. */
  accounts: Record<string, { jid: string; password: string }>;
  /** PEM of the CA that signed the server certificate. */
  caCert: string;
  /** The instance's directory (config, data, logs). */
  dir: string;
  /** PID of the running Prosody, or undefined while stopped. */
  readonly pid: number | undefined;
  /** Creates another account (works while running). */
  createAccount(user: string, password: string): Promise<{ jid: string; password: string }>;
  /** Stops Prosody (SIGTERM) and removes the directory. */
  stop(): Promise<void>;
  /** Stops (SIGTERM, or nothing if already dead) and starts again with the same data and ports. */
  restart(): Promise<void>;
  /** SIGKILL, for fault tests; `restart()` brings it back. */
  kill(): Promise<void>;
  /** SIGSTOP: the server stops answering but sockets stay open (dead-peer tests). */
  pause(): void;
  /** SIGCONT after `pause()`. */
  resume(): void;
  /** The last lines of Prosody's log, for failure messages. */
  logTail(lines?: number): Promise<string>;
}

/** Starts a throwaway Prosody 0.12 (Debian's). */
export function startProsody(options: ProsodyOptions = {}): Promise<ProsodyInstance> {
  return launchProsody("prosody12", options);
}

/** Starts a throwaway Prosody of either generation; `startServer` calls this. */
export async function launchProsody(
  kind: "prosody12" | "prosody13",
  options: ProsodyOptions = {},
): Promise<XmppServer> {
  const program = kind === "prosody13" ? prosody13Program() : prosody12Program();
  const server = await prepareServer(options, {
    root: serverTmpdir(),
    prefix: "clawxmpp-prosody-",
  });
  const { dir, domain, c2sPort } = server.config;
  await mkdir(join(dir, "data"), { recursive: true });
  const configPath = join(dir, "prosody.cfg.lua");
  await writeFile(
    configPath,
    prosodyConfig({
      ...server.config,
      generation: kind === "prosody13" ? 13 : 12,
      extraGlobal: options.extraGlobal ?? "",
      extraModules: options.extraModules,
    }),
  );

  const registry = accountRegistry(domain, async (user, password) => {
    const accountsDir = join(dir, "data", encodePart(domain), "accounts");
    await mkdir(accountsDir, { recursive: true });
    await writeFile(
      join(accountsDir, `${encodePart(user)}.dat`),
      `return {\n\t["password"] = ${luaString(password)};\n};\n`,
      { mode: 0o600 },
    );
  });
  await registry.createAll(options.accounts);

  const pidfile = join(dir, "prosody.pid");
  const logFile = join(dir, "prosody.log");
  let child: ChildProcess | undefined;
  const launch = async () => {
    const proc = spawn(program.command, ["--config", configPath, "-F"], {
      stdio: ["ignore", "ignore", "pipe"],
      cwd: dir,
    });
    killOnExit(proc);
    child = proc;
    const probe = { proc, pidfile, expectedPid: proc.pid, port: c2sPort, domain, ms: 15_000 };
    await readyOrThrow("Prosody", probe, logFile);
  };
  const terminate = async (signal: NodeJS.Signals) => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGCONT");
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return serverInstance(server, {
    ...registry,
    kind,
    version: program.version,
    logFile,
    launch,
    terminate,
    pid: () => child?.pid,
  });
}

/** Prosody's datamanager file-name encoding: every non-alphanumeric byte as %xx. */
function encodePart(value: string): string {
  return Buffer.from(value, "utf8")
    .toString("latin1")
    .replace(/[^A-Za-z0-9]/gu, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

function luaString(value: string): string {
  return `"${value.replace(/\\/gu, "\\\\").replace(/"/gu, '\\"').replace(/\n/gu, "\\n")}"`;
}

/**
 * Where throwaway servers keep their data: RAM-backed /dev/shm when there is one. A test server's
 * archive writes then cost no disk syncs (which made Prosody, not the client, the bottleneck of
 * MAM tests), and the data still outlives a SIGKILL of the server, as on a real disk.
 */
function serverTmpdir(): string {
  try {
    accessSync("/dev/shm", constants.W_OK);
    return "/dev/shm";
  } catch {
    return tmpdir();
  }
}
