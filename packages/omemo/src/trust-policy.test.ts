import { describe, expect, it } from "vitest";
import { fingerprintHex } from "./fingerprint.js";
import { MemoryOmemoStore } from "./memory-store.js";
import type { TrustMode } from "./omemo-options.js";
import { type IdentityEvent, TrustPolicy } from "./trust-policy.js";

const key = (byte: number) => Uint8Array.from([5, ...new Array(32).fill(byte)]);
const ALICE = "alice@example.test";

function policy(mode: TrustMode, pinned: string[] = [], devices: number[] = [1, 2, 3]) {
  const store = new MemoryOmemoStore();
  const events: IdentityEvent[] = [];
  const trust = new TrustPolicy({
    store,
    mode,
    trustedFingerprints: new Set(pinned),
    knownDevices: () => devices,
    onIdentity: (e) => events.push(e),
  });
  return { store, events, trust };
}

describe("TrustPolicy", () => {
  it("btbv: trusts new devices until one of the contact's devices is verified", async () => {
    const { trust, events } = policy("btbv");
    expect(await trust.decide({ jid: ALICE, deviceId: 1 }, key(1))).toBe("trusted");
    await trust.set({ jid: ALICE, deviceId: 1 }, "verified");
    expect(await trust.decide({ jid: ALICE, deviceId: 2 }, key(2))).toBe("undecided");
    expect(await trust.isTrusted({ jid: ALICE, deviceId: 2 }, key(2))).toBe(false);
    expect(events.map((e) => [e.deviceId, e.trust, e.reason])).toEqual([
      [1, "trusted", "new"],
      [2, "undecided", "new"],
    ]);
  });

  it("always trusts every device; manual trusts only pinned fingerprints", async () => {
    expect(await policy("always").trust.isTrusted({ jid: ALICE, deviceId: 1 }, key(1))).toBe(true);
    const manual = policy("manual", [fingerprintHex(key(2))]);
    expect(await manual.trust.isTrusted({ jid: ALICE, deviceId: 1 }, key(1))).toBe(false);
    expect(await manual.trust.decide({ jid: ALICE, deviceId: 2 }, key(2))).toBe("verified");
  });

  it("a changed identity key for a known device id is decided again, as a new device", async () => {
    const { trust, events } = policy("btbv");
    await trust.decide({ jid: ALICE, deviceId: 1 }, key(1));
    await trust.set({ jid: ALICE, deviceId: 1 }, "verified");
    // The same device id now presents another key: the verification does not carry over.
    expect(await trust.decide({ jid: ALICE, deviceId: 1 }, key(9))).toBe("undecided");
    expect(events.at(-1)).toMatchObject({ deviceId: 1, reason: "changed", trust: "undecided" });
  });

  it("an operator's pin upgrades an earlier automatic decision, never an explicit refusal", async () => {
    const pinned = fingerprintHex(key(1));
    const { store } = policy("btbv");
    await store.storeIdentity({ jid: ALICE, deviceId: 1 }, key(1));
    await store.setTrust({ jid: ALICE, deviceId: 1 }, "trusted");
    await store.storeIdentity({ jid: ALICE, deviceId: 2 }, key(1));
    await store.setTrust({ jid: ALICE, deviceId: 2 }, "untrusted");
    const trust = new TrustPolicy({
      store,
      mode: "btbv",
      trustedFingerprints: new Set([pinned]),
      knownDevices: () => [1, 2],
      onIdentity: () => {},
    });
    expect(await trust.decide({ jid: ALICE, deviceId: 1 }, key(1))).toBe("verified");
    expect(await trust.decide({ jid: ALICE, deviceId: 2 }, key(1))).toBe("untrusted");
  });
});
