import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jsonFileStore } from "./json-file-store.js";
import { createPairing, pairingOptionsSchema } from "./pairing.js";
import { runPairingCli } from "./pairing-cli.js";

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "clawxmpp-cli-"));
  path = join(dir, "pairing.json");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPairingCli(argv, path, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out, err };
}

async function issue(jid: string): Promise<string> {
  const bot = createPairing(pairingOptionsSchema.parse({}), { store: jsonFileStore(path) });
  const result = await bot.request(jid);
  if (!("code" in result)) throw new Error("no code");
  return result.code;
}

describe("runPairingCli", () => {
  it("pairing list on an empty store", async () => {
    expect(await run("pairing", "list")).toEqual({
      code: 0,
      out: ["no pending pairing codes", "no approved JIDs"],
      err: [],
    });
  });

  it("pairing approve <code> persists the JID; list shows it", async () => {
    const code = await issue("stranger@example.net");
    const listed = await run("pairing", "list");
    expect(listed.out[0]).toMatch(
      new RegExp(`^pending  ${code}  stranger@example\\.net  expires `, "u"),
    );
    const approved = await run("pairing", "approve", code.toLowerCase());
    expect(approved).toEqual({ code: 0, out: ["approved stranger@example.net"], err: [] });
    const after = await run("list");
    expect(after.out).toContainEqual(
      expect.stringMatching(/^approved stranger@example\.net {2}since /u),
    );
    expect((await jsonFileStore(path).load()).approved.map((a) => a.jid)).toEqual([
      "stranger@example.net",
    ]);
  });

  it("a wrong code fails with exit code 1 and a readable message", async () => {
    await issue("stranger@example.net");
    expect(await run("pairing", "approve", "ZZZZZZZZ")).toEqual({
      code: 1,
      out: [],
      err: ["error: unknown or expired pairing code"],
    });
  });

  it("revoke", async () => {
    const code = await issue("stranger@example.net");
    await run("approve", code);
    expect((await run("revoke", "Stranger@example.net")).out).toEqual([
      "revoked Stranger@example.net",
    ]);
    expect((await run("revoke", "stranger@example.net")).out).toEqual([
      "stranger@example.net was not approved",
    ]);
  });

  it("usage errors exit with 2", async () => {
    for (const argv of [
      [],
      ["pairing"],
      ["pairing", "approve"],
      ["pairing", "list", "x"],
      ["nonsense"],
      ["approve", "A", "B"],
    ]) {
      const result = await run(...argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.err[0]).toBe("usage:");
    }
  });

  it("a corrupt store is reported with its path, never reset", async () => {
    await writeFile(path, "garbage");
    const result = await run("pairing", "list");
    expect(result.code).toBe(1);
    expect(result.err[0]).toContain(path);
    expect(result.err[0]).toMatch(/corrupt/u);
  });
});
