/**
 * CPU time a server process has used so far, from `/proc/<pid>/stat` (Linux): the bench reports
 * the server's CPU per message next to the client's, because with client and server on the same
 * cores, what a client makes the server do limits its throughput as much as its own CPU does.
 */
import { readFileSync } from "node:fs";

/** Linux reports utime/stime in USER_HZ ticks, which the kernel ABI fixes at 100 per second. */
const MICROS_PER_TICK = 10_000;

/** User + system CPU of `pid` in µs, or undefined without /proc or when the process is gone. */
export function processCpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return (utime + stime) * MICROS_PER_TICK;
  } catch {
    return undefined;
  }
}
