/**
 * Readiness of a freshly spawned XMPP server (RFC 6120 §4.2): a pidfile that
 * names the expected process *and* a c2s port that answers a stream header
 * with features. Waiting for the port alone is not enough: Prosody installs
 * its signal handlers on the first loop tick, and ejabberd listens before its
 * modules are up.
 */
import type { ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { connect } from "node:net";

/** What {@link waitReady} polls. */
export interface ReadinessProbe {
  /** The spawned child; its exit ends the wait with an error. */
  proc: ChildProcess;
  pidfile: string;
  /** The PID the pidfile must name; `undefined` accepts any live PID (ejabberd's VM is a grandchild). */
  expectedPid: number | undefined;
  port: number;
  domain: string;
  ms: number;
}

/** Resolves with the PID from the pidfile once the server answers a stream header. */
export async function waitReady(probe: ReadinessProbe): Promise<number> {
  const deadline = Date.now() + probe.ms;
  let lastError = "";
  while (Date.now() < deadline) {
    if (probe.proc.exitCode !== null || probe.proc.signalCode !== null) {
      throw new Error(`server exited (${probe.proc.exitCode ?? probe.proc.signalCode})`);
    }
    const pid = await readFile(probe.pidfile, "utf8").then(
      (s) => Number(s.trim()),
      () => undefined,
    );
    const pidOk = pid !== undefined && pid > 0 && (probe.expectedPid ?? pid) === pid;
    const answered = pidOk
      ? await answersStream(probe.port, probe.domain).catch((e: Error) => e.message)
      : false;
    if (answered === true && pid !== undefined) return pid;
    if (typeof answered === "string") lastError = answered;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not ready after ${probe.ms} ms (${lastError || "no pidfile"})`);
}

/**
 * {@link waitReady} for a server just spawned (call it in the same tick, so no stderr is missed);
 * if it does not get ready, kills it and throws with the ends of its stderr and of its log.
 */
export async function readyOrThrow(
  name: string,
  probe: ReadinessProbe,
  logFile: string,
): Promise<number> {
  let stderr = "";
  probe.proc.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    return await waitReady(probe);
  } catch (error) {
    probe.proc.kill("SIGKILL");
    const log = await tail(logFile, 30);
    throw new Error(
      `${name} did not start: ${(error as Error).message}\n--- stderr ---\n${stderr}\n--- log ---\n${log}`,
    );
  }
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

/** The last `lines` lines of a log file ("" when it does not exist yet). */
export async function tail(file: string, lines: number): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.split("\n").slice(-lines).join("\n");
}
