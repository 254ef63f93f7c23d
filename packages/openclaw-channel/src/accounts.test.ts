import { ConfigError } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import {
  listXmppAccountIds,
  parseXmppChannelConfig,
  resolveGroupSettings,
  resolveXmppAccount,
  xmppSection,
} from "./accounts.js";

describe("listXmppAccountIds", () => {
  it("is the default account when there is no accounts record", () => {
    expect(listXmppAccountIds(parseXmppChannelConfig({ jid: "bot@example.org" }))).toEqual([
      "default",
    ]);
    expect(listXmppAccountIds(parseXmppChannelConfig({}))).toEqual(["default"]);
  });

  it("lists named accounts, plus default when the channel level has a jid", () => {
    const accounts = { work: { jid: "w@example.org" }, home: { jid: "h@example.org" } };
    expect(listXmppAccountIds(parseXmppChannelConfig({ accounts }))).toEqual(["home", "work"]);
    expect(
      listXmppAccountIds(parseXmppChannelConfig({ jid: "bot@example.org", accounts })),
    ).toEqual(["default", "home", "work"]);
  });
});

describe("resolveXmppAccount", () => {
  it("applies fail-closed defaults", () => {
    const account = resolveXmppAccount(
      parseXmppChannelConfig({ jid: "Bot@Example.ORG", password: "pw" }),
    );
    expect(account).toEqual({
      accountId: "default",
      enabled: true,
      configured: true,
      jid: "bot@example.org",
      password: "pw",
      server: undefined,
      port: 5222,
      resource: "openclaw",
      name: undefined,
      dmPolicy: "pairing",
      allowFrom: [],
      dmAllowlist: [],
      groupPolicy: "allowlist",
      groups: [],
      nickname: "bot",
      groupAllowFrom: [],
      actions: { reactions: false, edit: false, delete: false },
      work: {
        streaming: "off",
        throttleMs: 1500,
        ackReaction: undefined,
        sendReadReceipts: false,
        presence: { busy: true, busyStatus: "Working…", idleStatus: undefined },
      },
      adHocCommands: { enabled: true, approvals: true },
      messagePrefix: undefined,
      heartbeatVisibility: undefined,
      mediaMaxBytes: 20 * 1024 * 1024,
      allowPrivateNetwork: false,
      groupSettings: {},
      omemo: {
        enabled: false,
        deviceLabel: undefined,
        trust: "btbv",
        trustedFingerprints: [],
        requireEncryption: false,
      },
      tls: { mode: "starttls", ca: undefined },
      trustedMucServices: undefined,
      rateLimit: { capacity: 5, refillPerMinute: 20 },
      historyLimit: 20,
      replyToMode: { direct: "off", group: "first" },
      roomPrivateMessages: "policy",
      healthMonitor: { enabled: true, intervalMs: 60_000, timeoutMs: 150_000 },
    });
  });

  it("room settings, reply modes and the health monitor are resolved; per-chat-type modes win", () => {
    const account = resolveXmppAccount(
      parseXmppChannelConfig({
        jid: "bot@example.org",
        historyLimit: 5,
        replyToMode: "all",
        replyToModeByChatType: { group: "off" },
        roomPrivateMessages: "off",
        healthMonitor: { intervalSeconds: 10, timeoutSeconds: 30 },
        groupSettings: {
          "Team@Conference.Example.org": { systemPrompt: "Be brief.", skills: [], historyLimit: 0 },
        },
      }),
    );
    expect(account).toMatchObject({
      historyLimit: 5,
      replyToMode: { direct: "all", group: "off" },
      roomPrivateMessages: "off",
      healthMonitor: { enabled: true, intervalMs: 10_000, timeoutMs: 30_000 },
      groupSettings: {
        "team@conference.example.org": { systemPrompt: "Be brief.", skills: [], historyLimit: 0 },
      },
    });
  });

  it("tls.mode direct defaults the port to 5223; trustedMucServices are lower-cased", () => {
    const account = resolveXmppAccount(
      parseXmppChannelConfig({
        jid: "bot@example.org",
        tls: { mode: "direct", ca: "/etc/ssl/ca.pem" },
        trustedMucServices: ["Conference.Example.ORG"],
        rateLimit: false,
      }),
    );
    expect(account).toMatchObject({
      port: 5223,
      tls: { mode: "direct", ca: "/etc/ssl/ca.pem" },
      trustedMucServices: ["conference.example.org"],
      rateLimit: false,
    });
  });

  it("is not configured without a jid or a password", () => {
    expect(resolveXmppAccount(parseXmppChannelConfig({ jid: "bot@example.org" })).configured).toBe(
      false,
    );
    expect(resolveXmppAccount(parseXmppChannelConfig({ password: "pw" })).configured).toBe(false);
    const ref = { source: "env", provider: "default", id: "XMPP_PASSWORD" };
    const account = resolveXmppAccount(
      parseXmppChannelConfig({ jid: "bot@example.org", password: ref }),
    );
    expect(account.configured).toBe(true);
    expect(account.password).toEqual(ref);
  });

  it("normalises allow lists: xmpp: prefix, case, duplicates; keeps *", () => {
    const account = resolveXmppAccount(
      parseXmppChannelConfig({
        allowFrom: ["xmpp:Alice@Example.org", "alice@example.org", "*"],
        dmAllowlist: ["BOB@example.org"],
        groups: ["Room@Conference.example.org", "room@conference.example.org"],
      }),
    );
    expect(account.allowFrom).toEqual(["alice@example.org", "*"]);
    expect(account.dmAllowlist).toEqual(["bob@example.org"]);
    expect(account.groups).toEqual(["room@conference.example.org"]);
    // groupAllowFrom falls back to allowFrom
    expect(account.groupAllowFrom).toEqual(["alice@example.org", "*"]);
  });

  it("an explicit empty groupAllowFrom does not fall back to allowFrom", () => {
    const account = resolveXmppAccount(
      parseXmppChannelConfig({ allowFrom: ["alice@example.org"], groupAllowFrom: [] }),
    );
    expect(account.groupAllowFrom).toEqual([]);
  });

  it("a named account inherits channel-level keys except jid, password and name", () => {
    const config = parseXmppChannelConfig({
      jid: "main@example.org",
      password: "main-pass",
      name: "Main",
      server: "xmpp.example.org",
      dmPolicy: "allowlist",
      allowFrom: ["owner@example.org"],
      actions: { reactions: true },
      omemo: { deviceLabel: "Bot" },
      groupSettings: { "*": { requireMention: false } },
      accounts: {
        work: {
          jid: "work@example.org",
          omemo: { enabled: true },
          groupSettings: { "team@conference.example.org": { requireMention: true } },
        },
      },
    });
    const work = resolveXmppAccount(config, "work");
    expect(work.jid).toBe("work@example.org");
    expect(work.password).toBeUndefined();
    expect(work.configured).toBe(false);
    expect(work.name).toBeUndefined();
    expect(work.server).toBe("xmpp.example.org");
    expect(work.dmPolicy).toBe("allowlist");
    expect(work.allowFrom).toEqual(["owner@example.org"]);
    expect(work.actions).toEqual({ reactions: true, edit: false, delete: false });
    expect(work.omemo).toMatchObject({ enabled: true, deviceLabel: "Bot", trust: "btbv" });
    expect(resolveGroupSettings(work, "Team@conference.example.org").requireMention).toBe(true);
    expect(resolveGroupSettings(work, "other@conference.example.org").requireMention).toBe(false);
  });

  it("streaming, ackReaction, read receipts and presence resolve and merge into accounts", () => {
    const config = parseXmppChannelConfig({
      streaming: { mode: "partial", throttleMs: 1000 },
      ackReaction: "👀",
      presence: { busyStatus: "Thinking" },
      accounts: {
        a: { jid: "a@example.org", streaming: { mode: "block" }, presence: { busy: false } },
        b: { jid: "b@example.org", ackReaction: false, sendReadReceipts: true },
      },
    });
    const a = resolveXmppAccount(config, "a").work;
    expect(a).toMatchObject({ streaming: "block", throttleMs: 1000, ackReaction: "👀" });
    expect(a.presence).toEqual({ busy: false, busyStatus: "Thinking", idleStatus: undefined });
    const b = resolveXmppAccount(config, "b").work;
    // OpenClaw's "partial" is the live preview.
    expect(b).toMatchObject({ streaming: "live", ackReaction: undefined, sendReadReceipts: true });
  });

  it("an account's value overrides the channel level; defaults never shadow it", () => {
    const config = parseXmppChannelConfig({
      dmPolicy: "open",
      accounts: { a: { jid: "a@example.org" }, b: { jid: "b@example.org", dmPolicy: "disabled" } },
    });
    expect(resolveXmppAccount(config, "a").dmPolicy).toBe("open");
    expect(resolveXmppAccount(config, "b").dmPolicy).toBe("disabled");
  });

  it("mediaMaxMb becomes bytes; network switches merge key by key into accounts", () => {
    const config = parseXmppChannelConfig({
      jid: "bot@example.org",
      mediaMaxMb: 1.5,
      network: { dangerouslyAllowPrivateNetwork: true },
      accounts: { work: { jid: "w@example.org", mediaMaxMb: 100 } },
    });
    expect(resolveXmppAccount(config)).toMatchObject({
      mediaMaxBytes: 1_572_864,
      allowPrivateNetwork: true,
    });
    expect(resolveXmppAccount(config, "work")).toMatchObject({
      mediaMaxBytes: 100 * 1024 * 1024,
      allowPrivateNetwork: true,
    });
  });

  it("channel-level enabled:false disables every account", () => {
    const config = parseXmppChannelConfig({
      enabled: false,
      accounts: { a: { jid: "a@example.org", enabled: true } },
    });
    expect(resolveXmppAccount(config, "a").enabled).toBe(false);
    const config2 = parseXmppChannelConfig({ accounts: { a: { enabled: false } } });
    expect(resolveXmppAccount(config2, "a").enabled).toBe(false);
  });

  it("rooms require a mention unless configured otherwise", () => {
    const account = resolveXmppAccount(
      parseXmppChannelConfig({
        groupSettings: { "quiet@conference.example.org": { requireMention: false } },
      }),
    );
    expect(resolveGroupSettings(account, "loud@conference.example.org")).toEqual({
      requireMention: true,
      tools: undefined,
    });
    expect(resolveGroupSettings(account, "Quiet@conference.example.org").requireMention).toBe(
      false,
    );
  });

  it("an unknown account id is a ConfigError naming it", () => {
    const config = parseXmppChannelConfig({ accounts: { a: { jid: "a@example.org" } } });
    expect(() => resolveXmppAccount(config, "nope")).toThrow(ConfigError);
    expect(() => resolveXmppAccount(config, "nope")).toThrow(/channels\.xmpp\.accounts\.nope/u);
  });
});

describe("xmppSection", () => {
  it("reads channels.xmpp from a whole config and tolerates junk", () => {
    expect(xmppSection({ channels: { xmpp: { jid: "a@b.c" } } })).toEqual({ jid: "a@b.c" });
    expect(xmppSection({})).toBeUndefined();
    expect(xmppSection(null)).toBeUndefined();
    expect(xmppSection({ channels: 3 })).toBeUndefined();
  });
});
