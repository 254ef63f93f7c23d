/** Servers this process started, killed when it exits so a crashed run leaves none behind. */
import type { ChildProcess } from "node:child_process";

const running = new Map<ChildProcess, () => number | undefined>();
let hookInstalled = false;

/**
 * Tracks `proc` until it exits. `pid` names the process to SIGKILL on exit when it is not the
 * child itself (ejabberd's VM runs under its control script).
 */
export function killOnExit(
  proc: ChildProcess,
  pid: () => number | undefined = () => proc.pid,
): void {
  if (!hookInstalled) {
    hookInstalled = true;
    process.once("exit", () => {
      for (const [child, target] of running) {
        const id = target();
        try {
          if (id !== undefined) process.kill(id, "SIGKILL");
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }
    });
  }
  running.set(proc, pid);
  proc.once("exit", () => running.delete(proc));
}
