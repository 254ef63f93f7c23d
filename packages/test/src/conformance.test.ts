import { type Client, definePlugin, xml } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { testPluginConformance } from "./conformance.js";
import { assertNoLeaks, findLeaks } from "./conformance-checks.js";
import { dropAndRecover, settle, startLifecycle, stopLifecycles } from "./conformance-lifecycle.js";
import type { FakeClock } from "./fake-clock.js";

/** Registers one of everything, all through its context: the host undoes it all on stop. */
const tidy = definePlugin("tidy", (ctx) => {
  ctx.iqHandlers.register("get", "urn:x-test:tidy", "query", () => xml("query"));
  ctx.disco.addFeature("urn:x-test:tidy");
  ctx.disco.addIdentity({ category: "client", type: "bot", name: "tidy" });
  ctx.inbound.use("guard", () => {});
  ctx.inbound.use("parse", () => {});
  ctx.outbound.use("build", () => {});
  ctx.clock.setInterval(() => {}, 30_000);
  ctx.client.on("online", () => {
    ctx.clock.setTimeout(() => {}, 600_000);
  });
  return { stop() {} };
});

testPluginConformance(tidy, { options: {} });

/** Requires `tidy` (core v2 spec form) and registers through its context too. */
const dependent = definePlugin({
  name: "tidy-dependent",
  requires: { tidy },
  setup(ctx) {
    ctx.disco.addFeature("urn:x-test:dependent");
    ctx.client.on("message", () => {});
    return { stop() {} };
  },
});

testPluginConformance(dependent, { options: {}, dependencies: [[tidy, {}]] });

describe("the conformance checks can fail", () => {
  it("report each kind of registration a plugin still holds", async () => {
    const twin = await startLifecycle([]);
    const leaky = await startLifecycle([{ plugin: tidy, options: {} }]);
    await dropAndRecover(twin);
    await dropAndRecover(leaky);
    // Not stopped: everything it registered is still there.
    const leaks = findLeaks(await settle(twin), await settle(leaky));
    expect(leaks).toEqual(
      expect.arrayContaining([
        'plugin "tidy" still in use',
        'IQ handler "get urn:x-test:tidy query" still registered',
        'disco feature "urn:x-test:tidy" still advertised',
        '1 stage handler(s) in "guard" left',
        '1 stage handler(s) in "parse" left',
        '1 stage handler(s) in "build" left',
        '1 client listener(s) for "online" left',
        "1 disco identity(ies) left",
      ]),
    );
    expect(leaks.some((l) => /tracked timer\(s\) left/u.test(l))).toBe(true);
    expect(leaks.some((l) => /still scheduled on the clock/u.test(l))).toBe(true);
    await stopLifecycles(twin, leaky);
  });

  it("catch a plugin that goes around its context, after its stop()", async () => {
    // The raw client and clock reach the plugin only after start, as a careless global would;
    // it registers on every session (the resumed one and the new one): two of each.
    const raw: { client?: Client; clock?: FakeClock } = {};
    const sneaky = definePlugin("sneaky", (ctx) => {
      ctx.client.on("online", () => {
        raw.client?.on("message", () => {});
        raw.clock?.setTimeout(() => {}, 3_600_000);
      });
      return { stop() {} };
    });
    const twin = await startLifecycle([]);
    const used = await startLifecycle([{ plugin: sneaky, options: {} }]);
    Object.assign(raw, { client: used.client, clock: used.clock });
    await dropAndRecover(twin);
    await dropAndRecover(used);
    await used.handles[0]?.stop();
    const baseline = await settle(twin);
    const after = await settle(used);
    expect(findLeaks(baseline, after)).toEqual([
      '2 client listener(s) for "message" left',
      "2 timer(s) still scheduled on the clock",
    ]);
    expect(() => assertNoLeaks(baseline, after, "sneaky")).toThrow(
      /\[test\] sneaky: 2 leak\(s\):\n {2}2 client listener/u,
    );
    await stopLifecycles(twin, used);
  });

  it("find nothing on identical clients", async () => {
    const a = await startLifecycle([]);
    const b = await startLifecycle([]);
    expect(findLeaks(await settle(a), await settle(b))).toEqual([]);
    await stopLifecycles(a, b);
  });
});
