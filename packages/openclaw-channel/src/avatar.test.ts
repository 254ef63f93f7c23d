import { createClient, introspect, silentLogger } from "@clawxmpp/core";
import { pubsub } from "@clawxmpp/pubsub";
import { fakeServer } from "@clawxmpp/test";
import { describe, expect, it } from "vitest";
import { parseXmppChannelConfig, resolveXmppAccount } from "./accounts.js";
import { publishAvatarOnStart } from "./avatar.js";
import { xmppChannelConfigSchema, xmppChannelJsonSchema } from "./config-schema.js";
import { createStateStore } from "./state-store.js";

describe("the avatar key", () => {
  it("is a file path, inherited by accounts, and in the manifest's JSON Schema", () => {
    const raw = {
      jid: "bot@example.org",
      password: "pw",
      avatar: "/srv/bot.png",
      accounts: { b: {} },
    };
    expect(resolveXmppAccount(parseXmppChannelConfig(raw), "default").avatar).toBe("/srv/bot.png");
    expect(resolveXmppAccount(parseXmppChannelConfig(raw), "b").avatar).toBe("/srv/bot.png");
    expect(xmppChannelConfigSchema.safeParse({ avatar: "" }).success).toBe(false);
    expect(xmppChannelConfigSchema.safeParse({ avatar: 5 }).success).toBe(false);
    const schema = xmppChannelJsonSchema() as { properties: Record<string, { type?: string }> };
    expect(schema.properties.avatar?.type).toBe("string");
  });
});

describe("publishAvatarOnStart", () => {
  const make = () =>
    createClient({ jid: "bot@example.org", password: "pw", transport: fakeServer().factory });
  const store = createStateStore({ stateDir: "/nonexistent", accountId: "default" });

  it("composes pubsub and profile, reusing a pubsub OMEMO already put on the client", async () => {
    const alone = make();
    publishAvatarOnStart(alone, "/a.png", store, silentLogger);
    expect(introspect(alone).plugins).toEqual(expect.arrayContaining(["pubsub", "profile"]));
    const withOmemo = make();
    withOmemo.use(pubsub, {});
    expect(() => publishAvatarOnStart(withOmemo, "/a.png", store, silentLogger)).not.toThrow();
    expect(introspect(withOmemo).plugins.filter((p) => p === "pubsub")).toHaveLength(1);
    await Promise.all([alone.stop(), withOmemo.stop()]);
  });
});
