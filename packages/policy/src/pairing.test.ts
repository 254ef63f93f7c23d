import { ClawXmppError } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { createPairing, pairingOptionsSchema } from "./pairing.js";
import type { PairingState } from "./pairing-state.js";
import { memoryStore, type PairingStore } from "./pairing-store.js";

function setup(options = {}) {
  const clock = {
    t: Date.UTC(2026, 0, 1),
    now() {
      return this.t;
    },
  };
  const store = memoryStore();
  const pairing = createPairing(pairingOptionsSchema.parse(options), { store, clock });
  return { clock, store, pairing };
}

async function rejects(promise: Promise<unknown>): Promise<ClawXmppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(ClawXmppError.isInstance(error)).toBe(true);
  return error as ClawXmppError;
}

describe("pairing", () => {
  it("issues an 8-character code valid for one hour, and approve() persists the JID", async () => {
    const { pairing, store, clock } = setup();
    const result = await pairing.request("Stranger@Example.net/phone");
    expect(result).toMatchObject({
      status: "created",
      jid: "stranger@example.net",
      expiresAt: clock.t + 3_600_000,
    });
    if (result.status !== "created") throw new Error("unreachable");
    expect(result.code).toMatch(/^[A-HJKMNP-Z2-9]{8}$/u);
    expect(pairing.isPaired("stranger@example.net")).toBe(false);
    const approved = await pairing.approve(result.code.toLowerCase());
    expect(approved).toMatchObject({ jid: "stranger@example.net", greeted: false });
    expect(pairing.isPaired("stranger@example.net")).toBe(true);
    const state = await store.load();
    expect(state.pending).toEqual([]);
    expect(state.approved.map((a) => a.jid)).toEqual(["stranger@example.net"]);
  });

  it("repeated requests from the same JID return the same code (no new mint)", async () => {
    const { pairing } = setup();
    const first = await pairing.request("a@example.net");
    const second = await pairing.request("a@example.net/other");
    expect(second.status).toBe("pending");
    expect(second).toMatchObject({ code: (first as { code: string }).code });
    expect((await pairing.list()).pending).toHaveLength(1);
  });

  it("holds at most 3 pending codes; a slot frees when a code expires", async () => {
    const { pairing, clock } = setup();
    for (const who of ["a", "b", "c"]) {
      expect((await pairing.request(`${who}@example.net`)).status).toBe("created");
    }
    const full = await pairing.request("d@example.net");
    expect(full).toEqual({ status: "full", jid: "d@example.net", retryAt: clock.t + 3_600_000 });
    clock.t += 3_600_001;
    expect((await pairing.request("d@example.net")).status).toBe("created");
    expect((await pairing.list()).pending.map((p) => p.jid)).toEqual(["d@example.net"]);
  });

  it("an expired code cannot be approved", async () => {
    const { pairing, clock } = setup();
    const result = (await pairing.request("a@example.net")) as { code: string };
    clock.t += 3_600_000;
    const error = await rejects(pairing.approve(result.code));
    expect(error.code).toBe("policy");
    expect(error.message).toMatch(/unknown or expired/u);
    expect(pairing.isPaired("a@example.net")).toBe(false);
  });

  it("bounds guessing: after 5 wrong codes approvals lock, even for the right code", async () => {
    const { pairing, clock } = setup();
    const { code } = (await pairing.request("a@example.net")) as { code: string };
    for (let i = 0; i < 4; i++)
      expect((await rejects(pairing.approve("ZZZZZZZZ"))).message).toMatch(/unknown/u);
    expect((await rejects(pairing.approve("not even a code"))).message).toMatch(
      /locked for 900 s/u,
    );
    expect((await rejects(pairing.approve(code))).message).toMatch(/locked until/u);
    expect((await pairing.list()).lockedUntil).toBe(clock.t + 900_000);
    clock.t += 900_001; // lockout over, the code is still valid (1 h)
    expect((await pairing.approve(code)).jid).toBe("a@example.net");
  });

  it("wrong codes spread over time do not accumulate past the window", async () => {
    const { pairing, clock } = setup({ maxFailedApprovals: 2, failureWindow: 1_000 });
    const { code } = (await pairing.request("a@example.net")) as { code: string };
    await rejects(pairing.approve("ZZZZZZZZ"));
    clock.t += 1_001;
    await rejects(pairing.approve("ZZZZZZZZ"));
    expect((await pairing.approve(code)).jid).toBe("a@example.net");
  });

  it("an approved JID asking again is reported as approved", async () => {
    const { pairing } = setup();
    const { code } = (await pairing.request("a@example.net")) as { code: string };
    await pairing.approve(code);
    expect(await pairing.request("A@example.net")).toEqual({
      status: "approved",
      jid: "a@example.net",
    });
  });

  it("sees approvals made by another process through the same store", async () => {
    const store = memoryStore();
    const options = pairingOptionsSchema.parse({});
    const bot = createPairing(options, { store });
    const cli = createPairing(options, { store });
    const { code } = (await bot.request("a@example.net")) as { code: string };
    await cli.approve(code);
    expect(bot.isPaired("a@example.net")).toBe(false); // cached until the next load
    await bot.load();
    expect(bot.isPaired("a@example.net")).toBe(true);
  });

  it("revoke and markGreeted", async () => {
    const { pairing, store } = setup();
    const { code } = (await pairing.request("a@example.net")) as { code: string };
    await pairing.approve(code);
    await pairing.markGreeted("a@example.net");
    expect((await store.load()).approved[0]?.greeted).toBe(true);
    expect(await pairing.revoke("a@example.net")).toBe(true);
    expect(await pairing.revoke("a@example.net")).toBe(false);
    expect(pairing.isPaired("a@example.net")).toBe(false);
  });

  it("serialises concurrent requests: three parallel strangers, three distinct codes", async () => {
    const { pairing } = setup();
    const results = await Promise.all(
      ["a", "b", "c", "d"].map((u) => pairing.request(`${u}@example.net`)),
    );
    expect(results.map((r) => r.status).sort()).toEqual(["created", "created", "created", "full"]);
    const codes = results.flatMap((r) => ("code" in r ? [r.code] : []));
    expect(new Set(codes).size).toBe(3);
  });

  it("a failing store fails the operation and admits nobody", async () => {
    const broken: PairingStore = {
      load: () => Promise.reject(new ClawXmppError("storage", "disk on fire")),
      save: () => Promise.resolve(),
    };
    const pairing = createPairing(pairingOptionsSchema.parse({}), { store: broken });
    expect((await rejects(pairing.request("a@example.net"))).code).toBe("storage");
    expect(pairing.isPaired("a@example.net")).toBe(false);
  });

  it("rejects an invalid JID", async () => {
    const { pairing } = setup();
    expect((await rejects(pairing.request("not a jid"))).code).toBe("jid");
  });

  it("a colliding random code is re-drawn", async () => {
    const store = memoryStore();
    const draws = [..."AAAAAAAA", ..."AAAAAAAA", ..."BBBBBBBB"].map((c) =>
      "ABCDEFGHJKMNPQRSTUVWXYZ23456789".indexOf(c),
    );
    const pairing = createPairing(pairingOptionsSchema.parse({}), {
      store,
      random: () => draws.shift()!,
    });
    expect(await pairing.request("a@example.net")).toMatchObject({ code: "AAAAAAAA" });
    expect(await pairing.request("b@example.net")).toMatchObject({ code: "BBBBBBBB" });
    const state: PairingState = await store.load();
    expect(state.pending.map((p) => p.code)).toEqual(["AAAAAAAA", "BBBBBBBB"]);
  });
});
