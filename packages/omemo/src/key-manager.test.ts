import { describe, expect, it } from "vitest";
import { fingerprintHex, formatFingerprint, normalizeFingerprint } from "./fingerprint.js";
import {
  ensureOwnDevice,
  generateDeviceId,
  generatePreKeys,
  ownBundle,
  rotateSignedPreKey,
} from "./key-manager.js";
import { KeyedQueue } from "./keyed-queue.js";
import { MemoryOmemoStore } from "./memory-store.js";

describe("own device", () => {
  it("creates a 31-bit device id, identity, signed prekey and 100 prekeys once", async () => {
    const store = new MemoryOmemoStore();
    const own = await ensureOwnDevice(store);
    expect(own.deviceId).toBeGreaterThanOrEqual(1);
    expect(own.deviceId).toBeLessThanOrEqual(0x7fffffff);
    expect(own.identityKeyPair.publicKey).toHaveLength(33);
    const bundle = await ownBundle(store);
    expect(bundle.preKeys.map((k) => k.id)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(new Set(bundle.preKeys.map((k) => Buffer.from(k.publicKey).toString("hex"))).size).toBe(
      100,
    );
    expect(await ensureOwnDevice(store)).toEqual(own);
  });

  it("creates one device when asked twice at once", async () => {
    const store = new MemoryOmemoStore();
    const [a, b] = await Promise.all([
      ensureOwnDevice(store, { preKeyCount: 20 }),
      ensureOwnDevice(store, { preKeyCount: 20 }),
    ]);
    expect(a.deviceId).toBe(b.deviceId);
    expect(await store.listPreKeys()).toHaveLength(20);
  });

  it("avoids taken device ids and refuses too few prekeys", async () => {
    expect(generateDeviceId([1, 2, 3])).not.toBeOneOf([1, 2, 3]);
    await expect(ensureOwnDevice(new MemoryOmemoStore(), { preKeyCount: 5 })).rejects.toThrow(
      /preKeyCount/,
    );
  });

  it("yields to the event loop between slices of prekey generation", async () => {
    let clock = 0;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const seen: number[] = [];
    // Every key "takes" 6 ms: with a 10 ms slice the loop must get a turn every second key.
    const keys = await generatePreKeys(1, 10, {
      sliceMs: 10,
      now: () => {
        seen.push(ticks);
        clock += 6;
        return clock;
      },
    });
    clearInterval(timer);
    expect(keys).toHaveLength(10);
    expect(ticks).toBeGreaterThanOrEqual(1);
    // Immediates ran while generation was still going, not only at the end.
    expect(new Set(seen).size).toBeGreaterThan(1);
  });

  it("rotates the signed prekey keeping one previous", async () => {
    const store = new MemoryOmemoStore();
    await ensureOwnDevice(store, { preKeyCount: 20 });
    await rotateSignedPreKey(store);
    const third = await rotateSignedPreKey(store);
    expect((await store.listSignedPreKeys()).map((k) => k.id)).toEqual([2, 3]);
    expect((await ownBundle(store)).signedPreKey.id).toBe(third.id);
  });
});

describe("fingerprints", () => {
  const key = new Uint8Array([5, ...Array.from({ length: 32 }, (_, i) => i * 7)]);
  it("is the hex of the key without 0x05, in 8 groups of 8", () => {
    expect(fingerprintHex(key)).toBe(Buffer.from(key.subarray(1)).toString("hex"));
    const shown = formatFingerprint(key);
    expect(shown.split(" ")).toHaveLength(8);
    expect(shown.split(" ").every((g) => /^[0-9a-f]{8}$/.test(g))).toBe(true);
    expect(shown.startsWith("00070e15 1c232a31")).toBe(true);
  });
  it("normalises what operators paste", () => {
    const hex = fingerprintHex(key);
    expect(normalizeFingerprint(formatFingerprint(key).toUpperCase())).toBe(hex);
    expect(normalizeFingerprint(`05${hex}`)).toBe(hex);
    expect(() => normalizeFingerprint("abc")).toThrow(/64 hexadecimal/);
  });
});

describe("keyed queue", () => {
  it("runs one job at a time per key, others concurrently, and survives failures", async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const job =
      (name: string, fail = false) =>
      async () => {
        log.push(`start ${name}`);
        await new Promise((r) => setImmediate(r));
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      queue.run("a", job("a1", true)),
      queue.run("a", job("a2")),
      queue.run("b", job("b1")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    expect(log.indexOf("end a1")).toBeLessThan(log.indexOf("start a2"));
    expect(log.indexOf("start b1")).toBeLessThan(log.indexOf("end a1"));
    await new Promise((r) => setImmediate(r));
    expect(queue.size).toBe(0);
  });
});
