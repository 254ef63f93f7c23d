/**
 * Gateway RPC calls without a CLI process per call. `openclaw gateway call`
 * loads the whole CLI (2–6 s per call on 2 shared cores, far more under load);
 * this keeps one Node 24 process per home that imports OpenClaw's own
 * `callGatewayFromCli` (the function behind `openclaw gateway call`, exported by
 * `openclaw/plugin-sdk/gateway-runtime`) and runs each call through it with the
 * same options: same state dir, config, device identity and token, same
 * read-only shared state. Requests and answers are JSON lines; answers carry a
 * marker so anything OpenClaw itself prints is ignored.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Toolchain } from "./toolchain.js";

/** Options of one call. */
export interface RpcCallOptions {
  /** Wait for the final response (`--expect-final`), e.g. an approval's decision. */
  expectFinal?: boolean;
  /** The call's timeout (`--timeout`). @default 30000 */
  timeoutMs?: number;
}

/** A running RPC client process. */
export interface RpcClient {
  call(method: string, params: Record<string, unknown>, options?: RpcCallOptions): Promise<unknown>;
  /** Ends the process (pending calls fail). */
  close(): void;
}

const MARKER = "@@clawxmpp-rpc@@ ";

/** Runs inside the Node 24 child: one `callGatewayFromCli` per request line. */
const CLIENT_SOURCE = `
import { createInterface } from "node:readline";
const { callGatewayFromCli } = await import(process.env.CLAWXMPP_RPC_MODULE);
const answer = (message) => process.stdout.write(${JSON.stringify(MARKER)} + JSON.stringify(message) + "\\n");
const lines = createInterface({ input: process.stdin });
lines.on("line", async (line) => {
  const { id, method, params, expectFinal, timeoutMs } = JSON.parse(line);
  try {
    const result = await callGatewayFromCli(
      method,
      { json: true, timeout: String(timeoutMs), expectFinal },
      params,
      { sharedStateMode: "read-only", progress: false },
    );
    answer({ id, result: result ?? null });
  } catch (error) {
    answer({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
lines.on("close", () => process.exit(0));
`;

/** Starts the client for the home whose `env` (state dir, config path) is given. */
export function startRpcClient(
  toolchain: Toolchain,
  env: NodeJS.ProcessEnv,
  cwd: string,
): RpcClient {
  const module = pathToFileURL(
    join(toolchain.openclawDir, "dist", "plugin-sdk", "gateway-runtime.js"),
  ).href;
  const child: ChildProcess = spawn(
    toolchain.node,
    ["--input-type=module", "--eval", CLIENT_SOURCE],
    { env: { ...env, CLAWXMPP_RPC_MODULE: module }, cwd, stdio: ["pipe", "pipe", "pipe"] },
  );
  let nextId = 0;
  let buffer = "";
  let stderr = "";
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const failAll = (why: string) => {
    for (const { reject } of pending.values()) reject(new Error(`${why}\n${stderr.slice(-2000)}`));
    pending.clear();
  };
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf("\n"); end >= 0; end = buffer.indexOf("\n")) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      const at = line.indexOf(MARKER);
      if (at < 0) continue;
      const message = JSON.parse(line.slice(at + MARKER.length)) as {
        id?: number;
        result?: unknown;
        error?: string;
      };
      if (message.id === undefined) continue;
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiting?.reject(new Error(message.error));
      else waiting?.resolve(message.result);
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  child.once("exit", (code, signal) => failAll(`rpc client exited (${code ?? signal})`));
  child.once("error", (error) => failAll(`rpc client failed: ${error.message}`));
  return {
    call: (method, params, options = {}) =>
      new Promise((resolve, reject) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          reject(new Error(`rpc client is not running\n${stderr.slice(-2000)}`));
          return;
        }
        const id = nextId++;
        pending.set(id, { resolve, reject });
        const timeoutMs = options.timeoutMs ?? 30_000;
        child.stdin?.write(
          `${JSON.stringify({ id, method, params, expectFinal: options.expectFinal === true, timeoutMs })}\n`,
        );
      }),
    close: () => {
      child.stdin?.end();
      child.kill("SIGTERM");
    },
  };
}
