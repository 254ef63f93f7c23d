/** Login time: `start()` until online, one fresh client per login, one at a time. */
import { performance } from "node:perf_hooks";
import type { Account, AnomalySink, ServerInfo, Variant } from "./drivers.js";
import { makeClient } from "./drivers.js";
import { median, percentile } from "./stats.js";
import type { LoginResult } from "./tasks.js";

/** Logs in `count` times after one unmeasured warm-up login. */
export async function measureLogin(
  variant: Variant,
  server: ServerInfo,
  account: Account,
  count: number,
  anomaly: AnomalySink,
): Promise<LoginResult> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i <= count; i++) {
    const client = makeClient(variant, server, account, anomaly);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    try {
      await client.start();
    } catch (error) {
      anomaly(`login ${i} failed: ${(error as Error).message}`);
      continue;
    }
    const dt = performance.now() - t0;
    const used = process.cpuUsage(cpu0);
    if (i > 0) {
      wall.push(dt);
      cpu.push((used.user + used.system) / 1000);
    }
    await client.stop();
  }
  return {
    medianMs: median(wall),
    p90Ms: percentile(wall, 90),
    medianCpuMs: median(cpu),
    logins: wall.length,
  };
}
