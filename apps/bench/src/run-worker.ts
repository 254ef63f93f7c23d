/** Runs one task in a fresh worker process, bounded by a timeout. */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Task, TaskResult } from "./tasks.js";

const WORKER = fileURLToPath(new URL("./worker.js", import.meta.url));

/**
 * Forks `worker.js` with NODE_EXTRA_CA_CERTS = `caFile` (read by Node only at
 * start-up, which is why the baselines need a process of their own) and --expose-gc.
 */
export function runWorker(task: Task, caFile: string, timeoutMs: number): Promise<TaskResult> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
      execArgv: ["--expose-gc"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child.send(task);
    let result: TaskResult | undefined;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${task.kind}/${task.variant} worker exceeded ${timeoutMs} ms; killed`));
    }, timeoutMs);
    child.once("message", (message) => {
      result = message as TaskResult;
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (result) resolve(result);
      else
        reject(
          new Error(
            `${task.kind}/${task.variant} worker exited (${code ?? signal}) without a result`,
          ),
        );
    });
  });
}
