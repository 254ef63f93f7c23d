/**
 * Resident memory per connected client: one warm-up client connected and
 * stopped (so code loading and JIT are not counted), then N clients online
 * at once in this process; (RSS after − RSS before) / N, after GC.
 */
import type { Account, AnomalySink, BenchClient, ServerInfo, Variant } from "./drivers.js";
import { makeClient, startClient } from "./drivers.js";
import type { MemoryResult } from "./tasks.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function settle(): Promise<boolean> {
  const gc = (globalThis as { gc?: () => void }).gc;
  await sleep(500);
  if (!gc) return false;
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(50);
  }
  return true;
}

/**
 * Connects one client per account, one after the other (xmpp.js's synchronous
 * SCRAM makes concurrent logins time out), and measures the memory they hold.
 */
export async function measureMemory(
  variant: Variant,
  server: ServerInfo,
  accounts: Account[],
  anomaly: AnomalySink,
): Promise<MemoryResult> {
  const [first] = accounts;
  if (first) {
    const warm = await startClient(
      () => makeClient(variant, server, first, anomaly),
      anomaly,
      "warm-up",
    );
    await warm.stop();
  }
  const gc = await settle();
  const before = process.memoryUsage();
  const clients: BenchClient[] = [];
  for (const [i, account] of accounts.entries()) {
    try {
      const make = () => makeClient(variant, server, account, anomaly);
      clients.push(await startClient(make, anomaly, `memory client ${i}`));
    } catch {
      // Reported by startClient; the client is left out of the average.
    }
  }
  await settle();
  const after = process.memoryUsage();
  await Promise.all(clients.map((c) => c.stop().catch(() => {})));
  const n = Math.max(1, clients.length);
  return {
    clients: clients.length,
    rssPerClientKiB: (after.rss - before.rss) / n / 1024,
    heapPerClientKiB: (after.heapUsed - before.heapUsed) / n / 1024,
    gc,
  };
}
