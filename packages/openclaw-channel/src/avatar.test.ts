import { describe, expect, it } from "vitest";
import { parseXmppChannelConfig, resolveXmppAccount } from "./accounts.js";
import { xmppChannelConfigSchema, xmppChannelJsonSchema } from "./config-schema.js";

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
