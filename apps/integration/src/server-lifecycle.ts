/** The stop/restart/kill/pause/resume/logTail methods every server kind shares. */
import { rm } from "node:fs/promises";
import { tail } from "./readiness.js";
import type { XmppServer } from "./server-kind.js";

/** What a server kind provides for {@link lifecycle}. */
export interface LifecycleParts {
  dir: string;
  /** Keep the directory on stop. */
  keep: boolean;
  logFile: string;
  /** Starts the server process and resolves once it is ready. */
  launch(): Promise<void>;
  /** Sends `signal` (after SIGCONT) and resolves once the process is gone; no-op when stopped. */
  terminate(signal: NodeJS.Signals): Promise<void>;
  /** The server's own PID (the one to signal), or undefined while stopped. */
  pid(): number | undefined;
}

/** Builds the lifecycle methods of an instance from its kind's launch and terminate. */
export function lifecycle(
  parts: LifecycleParts,
): Pick<XmppServer, "stop" | "restart" | "kill" | "pause" | "resume" | "logTail"> {
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
    async stop() {
      if (stopped) return;
      stopped = true;
      await parts.terminate("SIGTERM");
      if (!parts.keep) await rm(parts.dir, { recursive: true, force: true });
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
