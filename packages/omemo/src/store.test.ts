import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JsonFileOmemoStore } from "./json-file-store.js";
import { ensureOwnDevice } from "./key-manager.js";
import { MemoryOmemoStore } from "./memory-store.js";
import type { OmemoStore } from "./omemo-store.js";
import { signalStorage } from "./signal-storage.js";
import { OwnKeys2 } from "./v2/own-keys-store.js";

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), "..");
const PEER = { jid: "peer@example.org", deviceId: 42 };
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "omemo-store-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function exercise(store: OmemoStore) {
  await store.storePreKeys([
    { id: 999, publicKey: new Uint8Array([5, 1]), privateKey: new Uint8Array([2]) },
  ]);
  await store.storeSignedPreKey({
    id: 1,
    publicKey: new Uint8Array([5, 3]),
    privateKey: new Uint8Array([4]),
    signature: new Uint8Array([6]),
    createdAt: 1000,
  });
  await store.storeSession(PEER, '{"s":1}');
  await store.storeIdentity(PEER, new Uint8Array([5, 9]));
  await store.setTrust(PEER, "verified");
}

describe("memory store", () => {
  it("stores, lists, removes and copies values", async () => {
    const store = new MemoryOmemoStore();
    await exercise(store);
    const preKey = await store.getPreKey(999);
    (preKey as { publicKey: Uint8Array }).publicKey[0] = 0;
    expect((await store.getPreKey(999))?.publicKey).toEqual(new Uint8Array([5, 1]));
    expect(await store.listSignedPreKeys()).toHaveLength(1);
    await store.removePreKey(999);
    expect(await store.listPreKeys()).toEqual([]);
    expect(await store.getTrust(PEER)).toBe("verified");
    await store.removeSession(PEER);
    expect(await store.getSession(PEER)).toBeUndefined();
  });
});

describe("JSON file store", () => {
  it("persists everything, with mode 0600, and reads it back", async () => {
    const path = join(dir, "sub", "omemo.json");
    const store = await JsonFileOmemoStore.open(path);
    const own = await ensureOwnDevice(store, { preKeyCount: 20 });
    await exercise(store);
    await store.flush();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const again = await JsonFileOmemoStore.open(path);
    expect(await again.getOwnDevice()).toEqual(own);
    expect(await again.listPreKeys()).toHaveLength(21);
    expect(await again.getSession(PEER)).toBe('{"s":1}');
    expect(await again.getIdentity(PEER)).toEqual(new Uint8Array([5, 9]));
    expect(await again.getTrust(PEER)).toBe("verified");
    expect((await again.getSignedPreKey(1))?.signature).toEqual(new Uint8Array([6]));
  });

  it("coalesces concurrent changes and loses none", async () => {
    const path = join(dir, "omemo.json");
    const store = await JsonFileOmemoStore.open(path);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.storeSession({ jid: "p@x", deviceId: i + 1 }, `r${i}`),
      ),
    );
    const again = await JsonFileOmemoStore.open(path);
    for (let i = 0; i < 50; i++)
      expect(await again.getSession({ jid: "p@x", deviceId: i + 1 })).toBe(`r${i}`);
  });

  it("refuses a corrupt file clearly and leaves it in place", async () => {
    const path = join(dir, "omemo.json");
    for (const content of ["{not json", '{"version":2}', '{"version":1,"preKeys":"x"}']) {
      await writeFile(path, content);
      await expect(JsonFileOmemoStore.open(path)).rejects.toMatchObject({
        condition: "store",
        message: expect.stringMatching(/not a valid OMEMO store.*refusing to replace it/),
      });
      expect(await readFile(path, "utf8")).toBe(content);
    }
  });

  it("survives being killed mid-write", { timeout: 60_000 }, async () => {
    const path = join(dir, "omemo.json");
    for (let round = 0; round < 3; round++) {
      const child = spawn(
        join(PACKAGE, "node_modules/.bin/jiti"),
        [join(PACKAGE, "test/kill-writer.ts"), path],
        {
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      // Kill at a different point each round, once several writes have completed.
      const target = 3 + round * 4;
      await new Promise<void>((resolve, reject) => {
        let lines = 0;
        child.stdout.on("data", (chunk: Buffer) => {
          lines += chunk.toString().split("\n").length - 1;
          if (lines >= target) resolve();
        });
        child.on("exit", (code) => reject(new Error(`writer exited early (${code})`)));
      });
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
      const store = await JsonFileOmemoStore.open(path);
      expect(
        ((await store.getSession({ jid: "peer@example.org", deviceId: 1 })) ?? "").length,
      ).toBeGreaterThan(200_000);
    }
  });
});

describe("libsignal StorageType adapter", () => {
  it("maps addresses at the last dot and reports identity changes", async () => {
    const store = new MemoryOmemoStore();
    const own = await ensureOwnDevice(store, { preKeyCount: 20 });
    const storage = signalStorage(store, own);
    const key1 = new Uint8Array([5, ...new Array(32).fill(1)]).buffer;
    const key2 = new Uint8Array([5, ...new Array(32).fill(2)]).buffer;
    expect(await storage.saveIdentity("alice@chat.example.com.1234", key1)).toBe(false);
    expect(await storage.saveIdentity("alice@chat.example.com.1234", key1)).toBe(false);
    expect(await storage.saveIdentity("alice@chat.example.com.1234", key2)).toBe(true);
    expect(await store.getIdentity({ jid: "alice@chat.example.com", deviceId: 1234 })).toEqual(
      new Uint8Array(key2),
    );
    await storage.storeSession("alice@chat.example.com.1234", "rec");
    expect(await store.getSession({ jid: "alice@chat.example.com", deviceId: 1234 })).toBe("rec");
    expect(await storage.getLocalRegistrationId()).toBe(own.registrationId);
    const preKey = (await store.listPreKeys())[0];
    expect(
      new Uint8Array((await storage.loadPreKey(String(preKey?.id)))?.pubKey as ArrayBuffer),
    ).toEqual(preKey?.publicKey);
    await expect(storage.loadSession("no-device-id")).rejects.toThrow(/not a jid.deviceId/);
  });
});

describe("OMEMO 2 state in the stores", () => {
  it("keeps our OMEMO 2 keys and sessions in the JSON file (0600), beside 0.3", async () => {
    const path = join(dir, "omemo.json");
    const store = await JsonFileOmemoStore.open(path);
    const own = await ensureOwnDevice(store, { preKeyCount: 20 });
    const keys = await OwnKeys2.open(store, own, { preKeyCount: 20 });
    await store.storeSession2(PEER, '{"v":1}');
    await store.flush();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const again = await JsonFileOmemoStore.open(path);
    expect(await again.getSession2(PEER)).toBe('{"v":1}');
    expect(await again.getSession(PEER)).toBeUndefined();
    const reopened = await OwnKeys2.open(again, own, { preKeyCount: 20 });
    expect(reopened.bundle()).toEqual(keys.bundle());
    expect(reopened.bundle().preKeys).toHaveLength(20);
  });

  it("reads a file written before OMEMO 2 existed", async () => {
    const path = join(dir, "old.json");
    const old = {
      version: 1,
      preKeys: [],
      signedPreKeys: [],
      sessions: {},
      identities: {},
      trust: {},
    };
    await writeFile(path, JSON.stringify(old));
    const store = await JsonFileOmemoStore.open(path);
    expect(await store.getOwnDevice2()).toBeUndefined();
    expect(await store.getSession2(PEER)).toBeUndefined();
  });

  it("refuses damaged OMEMO 2 keys instead of replacing them", async () => {
    const store = new MemoryOmemoStore();
    const own = await ensureOwnDevice(store, { preKeyCount: 20 });
    await store.setOwnDevice2('{"v":1,"preKeys":"x"}');
    await expect(OwnKeys2.open(store, own)).rejects.toThrow(/OMEMO 2 keys are invalid/);
  });
});
