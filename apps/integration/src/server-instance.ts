/**
 * The instance object every server kind returns: its addresses and accounts
 * plus the stop/restart/kill/pause/resume/logTail methods built from the
 * kind's own launch and terminate.
 */
import { rm } from "node:fs/promises";
import { tail } from "./readiness.js";
import type { XmppServer } from "./server-kind.js";
import type { PreparedServer } from "./server-setup.js";

/** What a server kind provides for {@link serverInstance}, beside its {@link PreparedServer}. */
export interface InstanceParts
  extends Pick<XmppServer, "kind" | "version" | "accounts" | "createAccount"> {
  logFile: string;
  /** Starts the server process and resolves once it is ready. */
  launch(): Promise<void>;
  /** Sends `signal` (after SIGCONT) and resolves once the process is gone; no-op when stopped. */
  terminate(signal: NodeJS.Signals): Promise<void>;
  /** The server's own PID (the one to signal), or undefined while stopped. */
  pid(): number | undefined;
}

/** Builds the instance of a started server. */
export function serverInstance(server: PreparedServer, parts: InstanceParts): XmppServer {
  const { config } = server;
  let stopped = false;
  const signal = (s: NodeJS.Signals) => {
    const pid = parts.pid();
    try {
      if (pid !== undefined) process.kill(pid, s);
    } catch {
      // already gone: nothing to pause or resume
    }
  };
  return {
    kind: parts.kind,
    version: parts.version,
    domain: config.domain,
    host: "127.0.0.1",
    c2sPort: config.c2sPort,
    c2sDirectTlsPort: config.c2sDirectTlsPort,
    httpPort: config.httpPort,
    mucDomain: `conference.${config.domain}`,
    uploadDomain: `upload.${config.domain}`,
    accounts: parts.accounts,
    caCert: server.caCert,
    dir: config.dir,
    get pid() {
      return parts.pid();
    },
    createAccount: parts.createAccount,
    async stop() {
      if (stopped) return;
      stopped = true;
      await parts.terminate("SIGTERM");
      if (!server.keep) await rm(config.dir, { recursive: true, force: true });
    },
    async restart() {
      await parts.terminate("SIGTERM");
      await parts.launch();
    },
    async kill() {
      await parts.terminate("SIGKILL");
    },
    pause: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
    logTail: (lines = 40) => tail(parts.logFile, lines),
  };
}
