import { createHmac } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chooseHtMechanism, type FastToken, htMechanism, isFastToken } from "./fast.js";
import { fileTokenStore } from "./fast-file-store.js";

const TOKEN: FastToken = {
  mechanism: "HT-SHA-256-EXPR",
  token: "secret-token:fast-abc",
  userAgentId: "0b4a8f9e-2d4b-4c1e-9a55-0c8a5f1b7e11",
  count: 0,
};
const CB = Buffer.from("channel-binding-data");
const binding = (type: string) => (type === "tls-exporter" ? CB : undefined);
const mac = (label: string, cb: Buffer) =>
  createHmac("sha256", TOKEN.token)
    .update(Buffer.concat([Buffer.from(label), cb]))
    .digest();

describe("HT-SHA-256 (FAST)", () => {
  it("prefers a channel-bound variant it can compute, else -NONE", () => {
    const all = ["HT-SHA-256-NONE", "HT-SHA-256-ENDP", "HT-SHA-256-EXPR"];
    expect(chooseHtMechanism(all, true, binding)).toBe("HT-SHA-256-EXPR");
    expect(chooseHtMechanism(all, true, () => undefined)).toBe("HT-SHA-256-NONE");
    expect(chooseHtMechanism(["HT-SHA-256-UNIQ"], true, binding)).toBeUndefined();
    expect(chooseHtMechanism(all, false, binding)).toBeUndefined();
  });

  it("sends authcid NUL HMAC(token, Initiator ‖ cb) and checks the server's Responder HMAC", () => {
    const ht = htMechanism(TOKEN, "bot@example.org", binding);
    expect(ht.channelBinding).toBe("tls-exporter");
    expect(ht.initial()).toEqual(Buffer.concat([Buffer.from("bot\0"), mac("Initiator", CB)]));
    expect(() => ht.finish(mac("Responder", CB))).not.toThrow();
    // A server that does not know the token cannot answer; neither can one that says nothing.
    expect(() => ht.finish(mac("Responder", Buffer.alloc(0)))).toThrow(
      /server-signature-mismatch/u,
    );
    expect(() => ht.finish(undefined)).toThrow(/server-signature-mismatch/u);
  });

  it("refuses to run a bound token where the binding is unavailable", () => {
    expect(() => htMechanism(TOKEN, "bot@example.org", () => undefined)).toThrow(
      /no-acceptable-mechanism/u,
    );
  });

  it("validates what a store returns", () => {
    expect(isFastToken(TOKEN)).toBe(true);
    expect(isFastToken({ ...TOKEN, mechanism: "SCRAM-SHA-1" })).toBe(false);
    expect(isFastToken({ ...TOKEN, token: "" })).toBe(false);
    expect(isFastToken({ ...TOKEN, count: -1 })).toBe(false);
    expect(isFastToken("secret")).toBe(false);
    expect(isFastToken(null)).toBe(false);
  });
});

describe("fileTokenStore", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  async function path(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "clawxmpp-fast-"));
    dirs.push(dir);
    return join(dir, "state", "fast.json");
  }

  it("round-trips a token in a 0600 file and clears it", async () => {
    const file = await path();
    const store = fileTokenStore(file);
    expect(await store.load()).toBeUndefined();
    await store.save(TOKEN);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await store.load()).toEqual(TOKEN);
    await store.clear();
    expect(await store.load()).toBeUndefined();
    await store.clear();
  });

  it("reports a corrupted or foreign file with a clear storage error", async () => {
    const file = await path();
    const store = fileTokenStore(file);
    await store.save(TOKEN);
    await writeFile(file, "{ half a json");
    await expect(store.load()).rejects.toMatchObject({ code: "storage", message: /not JSON/u });
    await writeFile(file, JSON.stringify({ token: 42 }));
    await expect(store.load()).rejects.toMatchObject({
      code: "storage",
      message: /no valid token/u,
    });
    expect(await readFile(file, "utf8")).toContain("42");
  });
});
