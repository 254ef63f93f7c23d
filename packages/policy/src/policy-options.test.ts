import { ConfigError } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { createPolicy } from "./create-policy.js";
import { memoryStore } from "./pairing-store.js";
import { policyOptionsSchema } from "./policy-options.js";

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("policy options", () => {
  it("defaults fail closed: pairing, allowlist, empty lists", () => {
    const { config } = createPolicy();
    expect(config).toEqual({
      dmPolicy: "pairing",
      allowFrom: [],
      dmAllowlist: [],
      groupPolicy: "allowlist",
      groupSettings: {},
      acceptInvitesFrom: [],
    });
    expect(config.groupAllowFrom).toBeUndefined();
  });

  it("normalises and de-duplicates JIDs", () => {
    const { config } = createPolicy({
      allowFrom: ["Alice@Example.COM", "alice@example.com", "ＢＯＢ@example.com"],
    });
    expect(config.allowFrom).toEqual(["alice@example.com", "bob@example.com"]);
  });

  it("names the bad entry: policy options.allowFrom.2", () => {
    const error = configError(() =>
      createPolicy({ allowFrom: ["a@example.com", "b@example.com", "not a jid"] }),
    );
    expect(error.issues.map((i) => i.field)).toEqual(["policy options.allowFrom.2"]);
    expect(error.message).toMatch(/policy options\.allowFrom\.2: not a valid JID/u);
  });

  it("reports every bad field at once", () => {
    const error = configError(() =>
      createPolicy({
        dmAllowlist: ["x@@y"],
        groupAllowFrom: ["ok@example.com", ""],
        acceptInvitesFrom: ["a@b/res"],
        groupSettings: { "bad room@": {} },
      }),
    );
    expect(error.issues.map((i) => i.field).sort()).toEqual([
      "policy options.acceptInvitesFrom.0",
      "policy options.dmAllowlist.0",
      "policy options.groupAllowFrom.1",
      "policy options.groupSettings.bad room@",
    ]);
  });

  it("rejects a wildcard with a hint to choose open explicitly", () => {
    const error = configError(() => createPolicy({ allowFrom: ["*"] }));
    expect(error.message).toMatch(/allowFrom\.0: wildcards are not supported.*"open" explicitly/u);
  });

  it("rejects full JIDs in lists (a resource would silently widen the match)", () => {
    const error = configError(() => createPolicy({ dmAllowlist: ["bob@example.com/phone"] }));
    expect(error.message).toMatch(/dmAllowlist\.0: use a bare JID/u);
  });

  it("rejects unknown keys and bad enum values", () => {
    const typo = configError(() => createPolicy({ dmpolicy: "open" } as never));
    expect(typo.message).toMatch(/dmpolicy/u);
    const value = configError(() => createPolicy({ dmPolicy: "everyone" } as never));
    expect(value.issues[0]?.field).toBe("policy options.dmPolicy");
    const room = configError(() =>
      createPolicy({ groupSettings: { "r@c.example": { requireMention: "yes" } } } as never),
    );
    expect(room.issues[0]?.field).toBe("policy options.groupSettings.r@c.example.requireMention");
  });

  it("rejects duplicate rooms after normalisation", () => {
    const error = configError(() =>
      createPolicy({ groupSettings: { "r@c.example": {}, "R@C.example": {} } }),
    );
    expect(error.message).toMatch(/duplicate room r@c\.example/u);
  });

  it("plugin options: store and storePath are exclusive; defaults are filled", () => {
    const parsed = policyOptionsSchema.parse({});
    expect(parsed.pairing).toEqual({
      ttl: 3_600_000,
      maxPending: 3,
      maxFailedApprovals: 5,
      failureWindow: 900_000,
      lockout: 900_000,
    });
    expect(parsed.rateLimit).toEqual({ capacity: 5, refillPerMinute: 20, maxSenders: 10_000 });
    expect(parsed.pollInterval).toBe(5_000);
    const both = policyOptionsSchema.safeParse({ store: memoryStore(), storePath: "/tmp/x.json" });
    expect(both.success).toBe(false);
    expect(policyOptionsSchema.safeParse({ store: {} }).success).toBe(false);
    expect(policyOptionsSchema.parse({ rateLimit: false }).rateLimit).toBe(false);
  });
});
