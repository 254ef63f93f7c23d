/**
 * A throwaway Prosody for tests and the demo: fresh temp dir, generated CA and
 * certificate, free loopback ports, foreground child process, accounts ready
 * before `startProsody` resolves, everything removed on `stop()`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeCertificates } from "./certs.js";
import { freePorts } from "./ports.js";
import { assertServerTools } from "./prosody-binary.js";
import { prosodyConfig } from "./prosody-config.js";

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

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Starts a throwaway Prosody. */
export async function startProsody(options: ProsodyOptions = {}): Promise<ProsodyInstance> {
  assertServerTools();
  installExitHook();
  const domain = options.domain ?? "localhost";
  const dir = await mkdtemp(join(tmpdir(), "clawxmpp-prosody-"));
  await mkdir(join(dir, "data"), { recursive: true });
  const certs = await makeCertificates(dir, domain);
  const [c2sPort, c2sDirectTlsPort, httpPort] = (await freePorts(3)) as [number, number, number];
  const configPath = join(dir, "prosody.cfg.lua");
  await writeFile(
    configPath,
    prosodyConfig({
      dir,
      domain,
      c2sPort,
      c2sDirectTlsPort,
      httpPort,
      cert: certs.cert,
      key: certs.key,
      tls: options.tls ?? "required",
      mam: options.mam ?? true,
      smacksHibernationSeconds: options.smacksHibernationSeconds ?? 60,
      uploadSizeLimit: options.uploadSizeLimit ?? 1024 * 1024,
      extraGlobal: options.extraGlobal ?? "",
      extraModules: options.extraModules,
    }),
  );

  const accounts: ProsodyInstance["accounts"] = {};
  const createAccount = async (user: string, password: string) => {
    const accountsDir = join(dir, "data", encodePart(domain), "accounts");
    await mkdir(accountsDir, { recursive: true });
    await writeFile(
      join(accountsDir, `${encodePart(user)}.dat`),
      `return {\n\t["password"] = ${luaString(password)};\n};\n`,
      { mode: 0o600 },
    );
    const account = { jid: `${user}@${domain}`, password };
    accounts[user] = account;
    return account;
  };
  for (const [user, password] of Object.entries(
    options.accounts ?? { alice: "alice", bob: "bob", bot: "bot" },
  )) {
    await createAccount(user, password);
  }

  let child: ChildProcess | undefined;
  const launch = async () => {
    const proc = spawn("prosody", ["--config", configPath, "-F"], {
      stdio: ["ignore", "ignore", "pipe"],
      cwd: dir,
    });
    let stderr = "";
    proc.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    running.add(proc);
    proc.once("exit", () => running.delete(proc));
    child = proc;
    try {
      await waitReady(proc, join(dir, "prosody.pid"), c2sPort, domain, 15_000);
    } catch (error) {
      proc.kill("SIGKILL");
      const log = await tail(join(dir, "prosody.log"), 30);
      throw new Error(
        `Prosody did not start: ${(error as Error).message}\n--- stderr ---\n${stderr}\n--- log ---\n${log}`,
      );
    }
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
  const caCert = await readFile(certs.caCert, "utf8");
  let stopped = false;

  return {
    domain,
    host: "127.0.0.1",
    c2sPort,
    c2sDirectTlsPort,
    httpPort,
    mucDomain: `conference.${domain}`,
    uploadDomain: `upload.${domain}`,
    accounts,
    caCert,
    dir,
    get pid() {
      return child?.pid;
    },
    createAccount,
    async stop() {
      if (stopped) return;
      stopped = true;
      await terminate("SIGTERM");
      if (!options.keep) await rm(dir, { recursive: true, force: true });
    },
    async restart() {
      await terminate("SIGTERM");
      await launch();
    },
    async kill() {
      await terminate("SIGKILL");
    },
    pause() {
      child?.kill("SIGSTOP");
    },
    resume() {
      child?.kill("SIGCONT");
    },
    logTail: (lines = 40) => tail(join(dir, "prosody.log"), lines),
  };
}

/** Ready = the pidfile names our process *and* the c2s port answers a stream header with features. */
async function waitReady(
  proc: ChildProcess,
  pidfile: string,
  port: number,
  domain: string,
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  let lastError = "";
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`prosody exited (${proc.exitCode ?? proc.signalCode})`);
    }
    const pid = await readFile(pidfile, "utf8").then(
      (s) => Number(s.trim()),
      () => undefined,
    );
    const answered =
      pid === proc.pid ? await answersStream(port, domain).catch((e: Error) => e.message) : false;
    if (answered === true) return;
    if (typeof answered === "string") lastError = answered;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not ready after ${ms} ms (${lastError || "no pidfile"})`);
}

function answersStream(port: number, domain: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 1_000);
    socket.on("connect", () => {
      socket.write(
        `<?xml version='1.0'?><stream:stream to='${domain}' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`,
      );
    });
    socket.on("data", (chunk) => {
      data += chunk.toString();
      if (data.includes("features")) {
        clearTimeout(timer);
        socket.destroy();
        resolve(true);
      }
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function tail(file: string, lines: number): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.split("\n").slice(-lines).join("\n");
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

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A crashed test run must not leave servers behind.
  process.once("exit", () => {
    for (const proc of running) proc.kill("SIGKILL");
  });
}
