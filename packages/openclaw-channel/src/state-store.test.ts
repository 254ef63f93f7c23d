import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClawXmppError } from "@clawxmpp/core";
import { afterEach, describe, expect, it } from "vitest";
import { createStateStore, resolveOpenclawStateDir } from "./state-store.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "clawxmpp-state-"));
  dirs.push(dir);
  return dir;
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return ClawXmppError.isInstance(error) ? error.code : undefined;
}

describe("state store", () => {
  it("returns the fallback for a missing file, then what was written", async () => {
    const store = createStateStore({ stateDir: stateDir(), accountId: "default" });
    expect(await store.read("mam-cursor", { id: null })).toEqual({ id: null });
    await store.write("mam-cursor", { id: "abc" });
    expect(await store.read("mam-cursor", { id: null })).toEqual({ id: "abc" });
    await store.remove("mam-cursor");
    expect(await store.read("mam-cursor", 0)).toBe(0);
  });

  it("writes under plugins/xmpp/<account> with mode 0600 in a 0700 directory, no temp files left", async () => {
    const root = stateDir();
    const store = createStateStore({ stateDir: root, accountId: "work" });
    await store.write("dedupe", ["a"]);
    expect(store.dir).toBe(join(root, "plugins", "xmpp", "work"));
    expect(statSync(join(store.dir, "dedupe.json")).mode & 0o777).toBe(0o600);
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(store.dir)).toEqual(["dedupe.json"]);
  });

  it("applies concurrent writes to one name in call order", async () => {
    const store = createStateStore({ stateDir: stateDir(), accountId: "default" });
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.write("counter", i)));
    expect(await store.read("counter", -1)).toBe(19);
    expect(readdirSync(store.dir)).toEqual(["counter.json"]);
  });

  it("a corrupted file is a storage error, never silently replaced by the fallback", async () => {
    const store = createStateStore({ stateDir: stateDir(), accountId: "default" });
    await store.write("omemo-identity", { key: "k" });
    writeFileSync(join(store.dir, "omemo-identity.json"), '{"key": "k"');
    expect(await codeOf(store.read("omemo-identity", {}))).toBe("storage");
  });

  it("rejects names and account ids that could escape the directory", async () => {
    const store = createStateStore({ stateDir: stateDir(), accountId: "default" });
    for (const name of ["../x", "a/b", "", "UPPER", ".hidden"]) {
      await expect(store.write(name, 1)).rejects.toThrow(/invalid state name/u);
      await expect(store.read(name, 1)).rejects.toThrow(/invalid state name/u);
    }
    expect(() => createStateStore({ stateDir: "/tmp", accountId: "../etc" })).toThrow(
      /invalid account id/u,
    );
  });

  it("resolves the state dir from OPENCLAW_STATE_DIR, else ~/.openclaw", () => {
    expect(resolveOpenclawStateDir({ OPENCLAW_STATE_DIR: "/srv/oc" })).toBe("/srv/oc");
    expect(resolveOpenclawStateDir({})).toMatch(/\.openclaw$/u);
  });
});
