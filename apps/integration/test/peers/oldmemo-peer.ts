/**
 * Drives test/peers/oldmemo-peer.py, the scripted legacy-OMEMO peer built on
 * Debian's python-omemo stack (python3-omemo, python3-oldmemo, python3-slixmpp):
 * starts it for a test account and waits for the lines it prints.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ProsodyInstance } from "../../src/index.js";

const PEER_SCRIPT = fileURLToPath(new URL("./oldmemo-peer.py", import.meta.url));
const PYTHON = "/usr/bin/python3";
/** The OMEMO 2 peer (python3-twomemo): test/peers/twomemo-peer.py. */
export const TWOMEMO_PEER_SCRIPT = fileURLToPath(new URL("./twomemo-peer.py", import.meta.url));

/** Whether Debian's python-omemo stack with twomemo is installed. */
export function hasPythonTwomemo(): boolean {
  try {
    execFileSync(PYTHON, ["-c", "import omemo, twomemo.etree, slixmpp"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export function hasPythonOmemo(): boolean {
  try {
    execFileSync(PYTHON, ["-c", "import omemo, oldmemo.etree, slixmpp"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A running python peer and the lines it printed. */
export interface Peer {
  process: ChildProcess;
  lines: string[];
  /** Resolves with the first line (present or future) starting with `prefix`. */
  line(prefix: string, ms?: number): Promise<string>;
}

export function startPeer(
  server: ProsodyInstance,
  caFile: string,
  user: string,
  extra: string[] = [],
  /** The peer script (default: the oldmemo peer; `TWOMEMO_PEER_SCRIPT` for OMEMO 2). */
  script: string = PEER_SCRIPT,
): Peer {
  const account = server.accounts[user] as { jid: string; password: string };
  const child = spawn(
    PYTHON,
    [script, "--jid", account.jid, "--password", account.password, "--host", server.host].concat(
      ["--port", String(server.c2sPort), "--ca", caFile],
      extra,
    ),
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const lines: string[] = [];
  const waiters: { prefix: string; resolve: (line: string) => void }[] = [];
  let buffer = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let nl = buffer.indexOf("\n"); nl !== -1; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.filter((w) => line.startsWith(w.prefix))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  return {
    process: child,
    lines,
    line(prefix, ms = 30_000) {
      const seen = lines.find((l) => l.startsWith(prefix));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `peer printed no ${prefix} within ${ms} ms: ${lines.join(" | ")} ${stderr}`,
              ),
            ),
          ms,
        );
        waiters.push({
          prefix,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
  };
}
