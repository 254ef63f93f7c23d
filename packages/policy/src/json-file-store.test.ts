import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  utimes,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClawXmppError } from "@clawxmpp/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jsonFileStore } from "./json-file-store.js";
import { createPairing, pairingOptionsSchema } from "./pairing.js";
import { emptyPairingState, type PairingState } from "./pairing-state.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "clawxmpp-policy-"));
});
afterEach(async () => {
  await chmod(dir, 0o700).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

const sample: PairingState = {
  version: 1,
  pending: [{ code: "ABCDEFGH", jid: "a@example.net", createdAt: 1, expiresAt: 2 }],
  approved: [{ jid: "b@example.net", approvedAt: 3, greeted: true }],
  failures: { count: 1, since: 4, lockedUntil: 0 },
};

async function storageError(promise: Promise<unknown>): Promise<ClawXmppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(ClawXmppError.isInstance(error)).toBe(true);
  expect((error as ClawXmppError).code).toBe("storage");
  return error as ClawXmppError;
}

describe("jsonFileStore", () => {
  it("a missing file is an empty state", async () => {
    expect(await jsonFileStore(join(dir, "none.json")).load()).toEqual(emptyPairingState());
  });

  it("round-trips, creates missing directories, writes mode 0600 and leaves no temp files", async () => {
    const path = join(dir, "nested", "pairing.json");
    const store = jsonFileStore(path);
    await store.save(sample);
    expect(await store.load()).toEqual(sample);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, "nested"))).toEqual(["pairing.json"]);
  });

  it("tightens a file that was world-readable", async () => {
    const path = join(dir, "pairing.json");
    await writeFile(path, JSON.stringify(emptyPairingState()), { mode: 0o644 });
    await jsonFileStore(path).save(sample);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("a corrupt file is a clear storage error naming the path and the fix, and is left untouched", async () => {
    const path = join(dir, "pairing.json");
    await writeFile(path, '{"version":1,"pending":[', { mode: 0o600 });
    const error = await storageError(jsonFileStore(path).load());
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/corrupt: not valid JSON/u);
    expect(error.message).toMatch(/mv ".*pairing\.json" ".*pairing\.json\.broken"/u);
    expect(await readFile(path, "utf8")).toBe('{"version":1,"pending":[');
  });

  it("valid JSON of the wrong shape is rejected, naming where", async () => {
    const path = join(dir, "pairing.json");
    await writeFile(
      path,
      JSON.stringify({ ...sample, approved: [{ jid: "Not Normalised@x", approvedAt: 1 }] }),
    );
    expect((await storageError(jsonFileStore(path).load())).message).toMatch(/approved\.0\.jid/u);
    await writeFile(path, JSON.stringify({ allowAll: true }));
    await storageError(jsonFileStore(path).load());
    await writeFile(path, "");
    await storageError(jsonFileStore(path).load());
  });

  it("an unreadable path is a storage error", async () => {
    const path = join(dir, "is-a-dir");
    await mkdir(path);
    expect((await storageError(jsonFileStore(path).load())).message).toMatch(
      /cannot read pairing store/u,
    );
  });

  it.skipIf(process.getuid?.() === 0)(
    "a failed write keeps the previous state intact",
    async () => {
      const path = join(dir, "pairing.json");
      const store = jsonFileStore(path);
      await store.save(sample);
      await chmod(dir, 0o500);
      await storageError(store.save(emptyPairingState()));
      await chmod(dir, 0o700);
      expect(await store.load()).toEqual(sample);
      expect(await readdir(dir)).toEqual(["pairing.json"]);
    },
  );

  it("a failed rename reports a storage error and removes its temp file", async () => {
    const path = join(dir, "pairing.json");
    await mkdir(join(path, "occupied"), { recursive: true });
    const error = await storageError(jsonFileStore(path).save(sample));
    expect(error.message).toMatch(/cannot write pairing store/u);
    expect(await readdir(dir)).toEqual(["pairing.json"]);
  });

  it("concurrent saves always leave one complete state", async () => {
    const path = join(dir, "pairing.json");
    const store = jsonFileStore(path);
    const states = Array.from({ length: 20 }, (_, i) => ({
      ...sample,
      failures: { count: i, since: 0, lockedUntil: 0 },
    }));
    await Promise.all(states.map((s) => store.save(s)));
    const loaded = await store.load();
    expect(states).toContainEqual(loaded);
    expect(await readdir(dir)).toEqual(["pairing.json"]);
  });
});

describe("jsonFileStore locking", () => {
  it("writers in separate 'processes' (separate store objects) do not lose each other's updates", async () => {
    const path = join(dir, "pairing.json");
    const options = pairingOptionsSchema.parse({ maxPending: 10 });
    const writers = Array.from({ length: 5 }, () =>
      createPairing(options, { store: jsonFileStore(path) }),
    );
    await Promise.all(writers.map((w, i) => w.request(`user${i}@example.net`)));
    const state = await jsonFileStore(path).load();
    expect(state.pending.map((p) => p.jid).sort()).toEqual(
      Array.from({ length: 5 }, (_, i) => `user${i}@example.net`),
    );
    expect(await readdir(dir)).toEqual(["pairing.json"]);
  });

  it("a held lock makes others wait, then time out with a clear error", async () => {
    const path = join(dir, "pairing.json");
    const release = await jsonFileStore(path).lock!();
    const other = jsonFileStore(path, { lockTimeout: 100 });
    const error = await storageError(other.lock!());
    expect(error.message).toMatch(
      /is locked by another process .*pairing\.json\.lock.*delete the lock file/u,
    );
    await release();
    await (await other.lock!())();
  });

  it("a stale lock left by a crash is removed", async () => {
    const path = join(dir, "pairing.json");
    await writeFile(`${path}.lock`, "12345\n");
    const old = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, old, old);
    const release = await jsonFileStore(path, { lockTimeout: 100 }).lock!();
    await release();
    expect(await readdir(dir)).toEqual([]);
  });
});
