/**
 * Heap measurement after a full GC. Uses `global.gc` when Node runs with
 * `--expose-gc`; otherwise turns the flag on at run time (V8 honours it for
 * functions created afterwards) and takes `gc` from a fresh context.
 */
import { setImmediate as nextMacrotask } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

function gcFunction(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** `heapUsed` after collecting everything collectable. */
export async function settledHeap(): Promise<number> {
  const gc = gcFunction();
  for (let i = 0; i < 3; i++) {
    gc();
    // Let finalizers and weak callbacks run between collections.
    await nextMacrotask();
  }
  return process.memoryUsage().heapUsed;
}
