/**
 * Runs a fixture script (`test/fixtures/*.mjs`) in its own Node process and
 * reads its JSON-line reports. The scripts import `@clawxmpp/core` as users do,
 * from its build (Node 20 cannot load the TypeScript source), so the core is
 * built first (`tsc -b`, a no-op when dist is current; CI builds before tests).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ProsodyInstance } from "../src/index.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "../../..");

/** One reported line. */
export interface Report {
  event: string;
  at: number;
  [field: string]: unknown;
}

/** A running fixture process. */
export interface NodeChild {
  readonly process: ChildProcess;
  readonly reports: Report[];
  /** Resolves when the process exited, with its code (or signal). */
  readonly exited: Promise<number | string | null>;
  /** True while the process has not exited. */
  alive(): boolean;
  /** The next report of `event` (from now on, or already seen after `since`), within `ms`. */
  next(event: string, ms?: number, since?: number): Promise<Report>;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  /** SIGKILL if still running. */
  kill(): void;
}

let built = false;

/** Builds `@clawxmpp/core` once per test file (incremental). */
export function buildCore(): void {
  if (built) return;
  const tsc = createRequire(join(ROOT, "package.json")).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-b", join(ROOT, "packages/core/tsconfig.build.json")], {
    stdio: "pipe",
  });
  built = true;
}

/** Starts `fixtures/<script>` with `env` added to this process's environment. */
export function startNodeChild(script: string, env: Record<string, string>): NodeChild {
  buildCore();
  const proc = spawn(process.execPath, [join(HERE, "fixtures", script)], {
    cwd: join(HERE, ".."),
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const reports: Report[] = [];
  const waiters = new Set<() => void>();
  let text = "";
  let partial = "";
  proc.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    text += chunk;
    partial += chunk;
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      try {
        reports.push(JSON.parse(line) as Report);
      } catch {
        // Not a report (a stray log line): kept in `output()` only.
      }
    }
    for (const wake of waiters) wake();
  });
  proc.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    text += chunk;
  });
  const exited = new Promise<number | string | null>((resolve) =>
    proc.once("exit", (code, signal) => {
      resolve(code ?? signal);
      for (const wake of waiters) wake();
    }),
  );
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  return {
    process: proc,
    reports,
    exited,
    alive,
    output: () => text,
    kill: () => {
      if (alive()) proc.kill("SIGKILL");
    },
    next(event, ms = 10_000, since = reports.length) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = reports.slice(since).find((r) => r.event === event);
          if (found) done(() => resolve(found));
          else if (!alive())
            done(() => reject(new Error(`process exited before "${event}":\n${text}`)));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no "${event}" within ${ms} ms:\n${text}`))),
          ms,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Starts `fixtures/<script>` logged in as `user` on `server` (see fixtures/env-client.mjs). */
export function startAccountProcess(
  script: string,
  server: ProsodyInstance,
  user: string,
  env: Record<string, string> = {},
): NodeChild {
  const account = server.accounts[user];
  if (!account) throw new Error(`no account "${user}" on the test server`);
  return startNodeChild(script, {
    XMPP_JID: account.jid,
    XMPP_PASSWORD: account.password,
    XMPP_SERVER: server.host,
    XMPP_PORT: String(server.c2sPort),
    XMPP_CA: server.caCert,
    ...env,
  });
}
