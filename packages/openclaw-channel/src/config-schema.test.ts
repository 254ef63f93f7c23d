import { ConfigError } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { parseXmppChannelConfig } from "./accounts.js";
import { xmppChannelConfigSchema, xmppChannelJsonSchema } from "./config-schema.js";

/** Every key of the earlier plugin's table, with a valid value. */
const SEED_CONFIG = {
  jid: "bot@example.com",
  password: "your-password",
  server: "example.com",
  port: 5222,
  resource: "openclaw",
  name: "Bot",
  enabled: true,
  dmPolicy: "pairing",
  allowFrom: ["user1@example.com", "user2@example.com"],
  dmAllowlist: ["guest@example.com"],
  groupPolicy: "open",
  groups: ["room@conference.example.com"],
  nickname: "bot",
  groupAllowFrom: ["user1@example.com"],
  actions: { reactions: true },
  messagePrefix: "[xmpp] ",
  // The earlier plugin's "hidden" string in OpenClaw's object form (the gateway rejects strings).
  heartbeatVisibility: { showOk: false, showAlerts: false, useIndicator: false },
  groupSettings: {
    "room@conference.example.com": { requireMention: false, tools: { allow: ["web_search"] } },
  },
  omemo: { enabled: false, deviceLabel: "OpenClaw Bot" },
  accounts: {
    work: {
      jid: "workbot@company.com",
      password: "work-pass",
      groups: ["team@conference.company.com"],
    },
    personal: { jid: "mybot@xmpp.net", password: "personal-pass", dmPolicy: "open" },
  },
};

/** The ConfigError thrown for `raw`, or a failure. */
function errorFor(raw: unknown): ConfigError {
  try {
    parseXmppChannelConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("channels.xmpp schema", () => {
  it("accepts every key of the earlier plugin's configuration table", () => {
    expect(parseXmppChannelConfig(SEED_CONFIG)).toEqual(SEED_CONFIG);
  });

  it("rejects the earlier plugin's heartbeatVisibility strings with the object to write instead", () => {
    const error = errorFor({ heartbeatVisibility: "hidden" });
    expect(error.issues).toEqual([
      {
        field: "channels.xmpp.heartbeatVisibility",
        message: expect.stringContaining('"showOk": false, "showAlerts": false'),
      },
    ]);
  });

  it("accepts OpenClaw's own heartbeatVisibility object, mediaMaxMb and the network switch", () => {
    const raw = {
      heartbeatVisibility: { showOk: true, showAlerts: false, useIndicator: true },
      mediaMaxMb: 2.5,
      network: { dangerouslyAllowPrivateNetwork: true },
    };
    expect(parseXmppChannelConfig(raw)).toEqual(raw);
  });

  it("tls: a CA path or PEM text and a mode; clear errors otherwise", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    for (const tls of [
      { ca: "/etc/ssl/my-ca.pem" },
      { ca: pem, mode: "direct" },
      { mode: "starttls" },
    ]) {
      expect(parseXmppChannelConfig({ tls })).toEqual({ tls });
    }
    expect(errorFor({ tls: { ca: "-----BEGIN PRIVATE KEY-----\nx" } }).issues).toEqual([
      { field: "channels.xmpp.tls.ca", message: expect.stringMatching(/holds no certificate/u) },
    ]);
    expect(errorFor({ tls: { ca: "line one\nline two" } }).issues).toEqual([
      { field: "channels.xmpp.tls.ca", message: expect.stringMatching(/path of a PEM file/u) },
    ]);
    expect(errorFor({ tls: { mode: "none" } }).issues[0]?.field).toBe("channels.xmpp.tls.mode");
    expect(errorFor({ tls: { cafile: "/x" } }).issues[0]?.field).toBe("channels.xmpp.tls");
  });

  it("trustedMucServices are service domains; rateLimit is an object or false", () => {
    expect(
      parseXmppChannelConfig({ trustedMucServices: ["conference.example.org"], rateLimit: false }),
    ).toEqual({ trustedMucServices: ["conference.example.org"], rateLimit: false });
    expect(errorFor({ trustedMucServices: ["room@conference.example.org"] }).issues).toEqual([
      {
        field: "channels.xmpp.trustedMucServices.0",
        message: "must be a service domain like conference.example.org",
      },
    ]);
    expect(errorFor({ rateLimit: { capacity: 0 } }).issues[0]?.field).toBe(
      "channels.xmpp.rateLimit.capacity",
    );
  });

  it("accepts an empty or missing section", () => {
    expect(parseXmppChannelConfig(undefined)).toEqual({});
    expect(parseXmppChannelConfig({})).toEqual({});
  });

  it("accepts the password as each kind of secret reference", () => {
    for (const password of [
      { source: "env", provider: "default", id: "XMPP_PASSWORD" },
      { source: "store", provider: "default", id: "XMPP_PASSWORD" },
      { source: "file", provider: "vault", id: "/xmpp/password" },
      { source: "file", provider: "vault", id: "value" },
      { source: "exec", provider: "pass", id: "xmpp/bot" },
    ]) {
      expect(parseXmppChannelConfig({ password }).password).toEqual(password);
    }
  });

  it.each([
    [{ jid: "not-a-jid" }, "channels.xmpp.jid", "bare JID"],
    [{ jid: "bot@example.org/res" }, "channels.xmpp.jid", "bare JID"],
    [{ port: 70000 }, "channels.xmpp.port", ""],
    [{ port: "5222" }, "channels.xmpp.port", ""],
    [{ dmPolicy: "everyone" }, "channels.xmpp.dmPolicy", ""],
    [{ groupPolicy: "pairing" }, "channels.xmpp.groupPolicy", ""],
    [{ allowFrom: ["alice"] }, "channels.xmpp.allowFrom.0", "bare JID"],
    [{ groups: ["room@conference.example.org", "lobby"] }, "channels.xmpp.groups.1", "room"],
    [{ actions: { reactions: "yes" } }, "channels.xmpp.actions.reactions", ""],
    [{ actions: { react: true } }, "channels.xmpp.actions", "react"],
    [{ heartbeatVisibility: "loud" }, "channels.xmpp.heartbeatVisibility", ""],
    [{ heartbeatVisibility: { showOk: "yes" } }, "channels.xmpp.heartbeatVisibility", ""],
    [{ mediaMaxMb: 0 }, "channels.xmpp.mediaMaxMb", ""],
    [{ mediaMaxMb: 4096 }, "channels.xmpp.mediaMaxMb", ""],
    [{ network: { allowPrivate: true } }, "channels.xmpp.network", "allowPrivate"],
    [
      { network: { dangerouslyAllowPrivateNetwork: "yes" } },
      "channels.xmpp.network.dangerouslyAllowPrivateNetwork",
      "",
    ],
    [{ omemo: { enabled: 1 } }, "channels.xmpp.omemo.enabled", ""],
    [{ omemo: { trust: "never" } }, "channels.xmpp.omemo.trust", ""],
    [
      { omemo: { trustedFingerprints: ["abc"] } },
      "channels.xmpp.omemo.trustedFingerprints.0",
      "64",
    ],
    [{ omemo: { requireEncryption: "yes" } }, "channels.xmpp.omemo.requireEncryption", ""],
    [{ omemo: { deviceLabel: "x".repeat(65) } }, "channels.xmpp.omemo.deviceLabel", ""],
    [{ omemo: { verify: true } }, "channels.xmpp.omemo", "verify"],
    [{ bogusKey: 1 }, "channels.xmpp", "bogusKey"],
    [{ password: "" }, "channels.xmpp.password", ""],
    [
      { password: { source: "env", provider: "default", id: "lower" } },
      "channels.xmpp.password",
      "",
    ],
    [{ password: { source: "vault", provider: "x", id: "Y" } }, "channels.xmpp.password", ""],
    [
      { groupSettings: { "room@conference.example.org": { requireMention: "no" } } },
      "channels.xmpp.groupSettings.room@conference.example.org.requireMention",
      "",
    ],
    [{ groupSettings: { lobby: {} } }, "channels.xmpp.groupSettings", "room JID"],
    [{ accounts: { Work: { jid: "a@b.c" } } }, "channels.xmpp.accounts", "account id"],
    [{ accounts: { work: { port: 0 } } }, "channels.xmpp.accounts.work.port", ""],
    [{ accounts: { work: { accounts: {} } } }, "channels.xmpp.accounts.work", "accounts"],
  ])("rejects %j naming %s", (raw, field, hint) => {
    const error = errorFor(raw);
    const fields = error.issues.map((issue) => issue.field);
    expect(fields.some((f) => f === field || f.startsWith(`${field}.`))).toBe(true);
    expect(error.message).toContain(field);
    if (hint) expect(error.message).toContain(hint);
  });
});

describe("channels.xmpp JSON Schema", () => {
  const schema = xmppChannelJsonSchema() as {
    type: string;
    additionalProperties: boolean;
    properties: Record<string, { description?: string; default?: unknown }>;
    required?: string[];
  };

  it("is a closed draft-07 object schema with every key and no required key", () => {
    expect(schema.type).toBe("object");
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toBeUndefined();
    expect(Object.keys(schema.properties).sort()).toEqual(
      Object.keys(xmppChannelConfigSchema.shape).sort(),
    );
  });

  it("describes every field and fills in no defaults", () => {
    for (const [key, property] of Object.entries(schema.properties)) {
      expect(property.description, key).toBeTruthy();
      expect(property.default, key).toBeUndefined();
    }
  });
});
