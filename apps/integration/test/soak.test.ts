/**
 * Issue #18 "Must show", first item: both directions at 100 msg/s while Prosody
 * is SIGKILLed and restarted 20 times at random intervals of 1–6 s, once with
 * MAM and archive catch-up, once without. Nothing acknowledged may be lost,
 * nothing received twice, no send refused, and each client must be online
 * again ≤ 1 s after the server is ready. The seed is printed; `SOAK_SEED=<n>`
 * replays a schedule, `SOAK_CYCLES` / `SOAK_RATE` change the load, `SOAK_VERBOSE=1`
 * prints each cycle.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  formatSoak,
  type ProsodyInstance,
  runSoak,
  type SoakResult,
  seedFrom,
  startProsody,
} from "../src/index.js";

const CYCLES = Number(process.env.SOAK_CYCLES ?? 20);
const RATE = Number(process.env.SOAK_RATE ?? 100);
const RECONNECT_LIMIT_MS = 1_000;

let server: ProsodyInstance | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function soak(mam: boolean): Promise<SoakResult> {
  const seed = seedFrom(process.env.SOAK_SEED);
  // Printed before the run, so even a run killed by a timeout can be replayed.
  process.stdout.write(`soak (MAM ${mam ? "on" : "off"}): seed ${seed}\n`);
  server = await startProsody({ mam });
  const result = await runSoak({
    server,
    cycles: CYCLES,
    rate: RATE,
    seed,
    catchUp: mam,
    ...(process.env.SOAK_VERBOSE
      ? { log: (line: string) => process.stderr.write(`${line}\n`) }
      : {}),
  });
  process.stdout.write(`${formatSoak(result)}\n`);
  return result;
}

function expectClean(result: SoakResult): void {
  const report = formatSoak(result);
  for (const d of result.directions) {
    expect(d.sent, `${d.label}: the run sent too little\n${report}`).toBeGreaterThan(
      (CYCLES * RATE) / 2,
    );
    expect(d.rejected, `${d.label}: rejected sends\n${report}`).toBe(0);
    expect(d.unsettled, `${d.label}: sends never settled\n${report}`).toBe(0);
    expect(d.undelivered, `${d.label}: acknowledged but undelivered\n${report}`).toBe(0);
    expect(d.duplicated, `${d.label}: duplicated\n${report}`).toBe(0);
  }
  expect(result.missedReconnects, `clients not back before the next kill\n${report}`).toEqual([]);
  expect(result.reconnectMs).toHaveLength(CYCLES * 2);
  expect(
    result.reconnectMaxMs,
    `slowest reconnect after the server was ready\n${report}`,
  ).toBeLessThanOrEqual(RECONNECT_LIMIT_MS);
}

describe("soak: two-way traffic through repeated SIGKILLs", () => {
  it("with MAM and archive catch-up: nothing lost, nothing twice, back within 1 s", async () => {
    expectClean(await soak(true));
  }, 200_000);

  it("without MAM: nothing lost, nothing twice, back within 1 s", async () => {
    expectClean(await soak(false));
  }, 200_000);
});
