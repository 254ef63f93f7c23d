import { describe, expect, it } from "vitest";
import { xmppGroups } from "./groups.js";
import { secretTargetRegistryEntries } from "./secret-contract-api.js";

const ROOM = "team@conference.example.org";
const cfg = (xmpp: Record<string, unknown>) => ({
  channels: { xmpp: { jid: "bot@example.org", password: "pw", ...xmpp } },
});

describe("groups adapter", () => {
  const settings = {
    groupSettings: {
      [ROOM]: { requireMention: false, tools: { deny: ["exec"], alsoAllow: ["web_fetch"] } },
      "*": { tools: { allow: ["read"] } },
    },
  };

  it("returns the room's tool policy and mention setting, by room JID in any spelling", () => {
    for (const groupId of [ROOM, `xmpp:${ROOM}`, "Team@Conference.Example.org"]) {
      expect(xmppGroups.resolveToolPolicy({ cfg: cfg(settings), groupId })).toEqual({
        deny: ["exec"],
        alsoAllow: ["web_fetch"],
      });
      expect(xmppGroups.resolveRequireMention({ cfg: cfg(settings), groupId })).toBe(false);
    }
  });

  it("falls back to `*`, then to no policy and mention required", () => {
    const other = "other@conference.example.org";
    expect(xmppGroups.resolveToolPolicy({ cfg: cfg(settings), groupId: other })).toEqual({
      allow: ["read"],
    });
    expect(xmppGroups.resolveRequireMention({ cfg: cfg(settings), groupId: other })).toBe(true);
    expect(xmppGroups.resolveToolPolicy({ cfg: cfg({}), groupId: other })).toBeUndefined();
    expect(xmppGroups.resolveRequireMention({ cfg: cfg({}), groupId: other })).toBe(true);
  });

  it("uses the named account's settings and fails closed on a bad config", () => {
    const multi = cfg({
      accounts: {
        work: { jid: "w@example.org", groupSettings: { "*": { tools: { deny: ["*"] } } } },
      },
    });
    expect(xmppGroups.resolveToolPolicy({ cfg: multi, groupId: ROOM, accountId: "work" })).toEqual({
      deny: ["*"],
    });
    const broken = cfg({ groupSettings: { [ROOM]: { requireMention: "no" } } });
    expect(xmppGroups.resolveRequireMention({ cfg: broken, groupId: ROOM })).toBe(true);
    expect(xmppGroups.resolveToolPolicy({ cfg: broken, groupId: ROOM })).toBeUndefined();
    expect(
      xmppGroups.resolveToolPolicy({ cfg: cfg(settings), groupId: "not a jid" }),
    ).toBeUndefined();
  });
});

describe("secret contract", () => {
  it("declares the channel-level and per-account password as SecretRef targets", () => {
    expect(secretTargetRegistryEntries.map((entry) => entry.pathPattern)).toEqual([
      "channels.xmpp.accounts.*.password",
      "channels.xmpp.password",
    ]);
    for (const entry of secretTargetRegistryEntries) {
      expect(entry).toMatchObject({
        id: entry.pathPattern,
        configFile: "openclaw.json",
        secretShape: "secret_input",
        expectedResolvedValue: "string",
      });
    }
  });
});
