import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, definePlugin, Emitter, type OutgoingMessage, xml } from "@clawxmpp/core";
import type { MarkersHandle } from "@clawxmpp/markers";
import { fakeServer, until } from "@clawxmpp/test";
import { describe, expect, it } from "vitest";
import { parseXmppChannelConfig, resolveXmppAccount } from "./accounts.js";
import { xmppStatusProbe } from "./directory.js";
import { startXmppAccount } from "./gateway.js";
import {
  isEncrypted,
  newDeviceNotice,
  OMEMO_STATE_FILE,
  omemoPluginOptions,
  withEncryption,
} from "./omemo-channel.js";
import type {
  OmemoEventsLike,
  OmemoHandleLike,
  OmemoIdentityLike,
  OmemoModule,
  OmemoPluginOptions,
} from "./omemo-loader.js";
import { deliverReply, type ReplyDeps } from "./reply-delivery.js";
import { BOT, cleanupsAfterEach, gatewayContext, onFake } from "./test-harness.fixture.js";

const OWNER = "owner@example.org";
const FINGERPRINT = "05 0123456789abcdef 0123456789ABCDEF 0123456789abcdef 0123456789abcdef";
const cleanups = cleanupsAfterEach();

function account(omemo: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return resolveXmppAccount(
    parseXmppChannelConfig({ jid: BOT, password: "pw", omemo, allowFrom: [OWNER], ...extra }),
  );
}

/** A stand-in for `@clawxmpp/omemo`'s plugin: the test decides when the device exists and what appears. */
function fakeOmemo() {
  const events = new Emitter<OmemoEventsLike>();
  const refreshed: string[] = [];
  let resolveReady: (identity: OmemoIdentityLike) => void = () => {};
  let options: OmemoPluginOptions | undefined;
  const handle: OmemoHandleLike = {
    ready: new Promise((resolve) => {
      resolveReady = resolve;
    }),
    published: async () => {},
    devices: async (jid, opts) => {
      if (opts?.refresh) refreshed.push(jid);
      return [];
    },
    on: (event, listener) => events.on(event, listener),
    once: (event, listener) => events.once(event, listener),
    off: (event, listener) => events.off(event, listener),
    stop() {},
  };
  const module: OmemoModule = {
    omemo: definePlugin<OmemoPluginOptions, OmemoHandleLike>("omemo", (_ctx, input) => {
      options = input;
      return handle;
    }),
  };
  return { module, events, refreshed, ready: resolveReady, options: () => options };
}

/** Runs the account on an in-memory server, OMEMO coming from `importOmemo`. */
function run(raw: Record<string, unknown>, importOmemo: () => Promise<unknown>) {
  const server = fakeServer();
  const stateDir = mkdtempSync(join(tmpdir(), "clawxmpp-omemo-channel-"));
  const { ctx, controller, status } = gatewayContext(raw);
  const running = startXmppAccount(ctx, {
    createClient: onFake(server),
    sdk: null,
    stateDir,
    importOmemo,
  });
  cleanups.push(async () => {
    controller.abort();
    await running;
    rmSync(stateDir, { recursive: true, force: true });
  });
  return { server, stateDir, status };
}

describe("OMEMO settings", () => {
  it("passes trust, fingerprints (normalised), the label and requireEncryption to the plugin", () => {
    const resolved = account({
      enabled: true,
      deviceLabel: "OpenClaw",
      trust: "manual",
      trustedFingerprints: [FINGERPRINT, FINGERPRINT.toLowerCase()],
      requireEncryption: true,
    });
    expect(omemoPluginOptions(resolved, "/state/xmpp/default")).toEqual({
      store: join("/state/xmpp/default", OMEMO_STATE_FILE),
      trust: "manual",
      trustedFingerprints: ["0123456789abcdef".repeat(4)],
      requireEncryption: true,
      deviceLabel: "OpenClaw",
    });
  });

  it("defaults to BTBV, no fingerprints, plaintext allowed, no label", () => {
    expect(omemoPluginOptions(account({ enabled: true }), "/s")).toEqual({
      store: join("/s", OMEMO_STATE_FILE),
      trust: "btbv",
      trustedFingerprints: [],
      requireEncryption: false,
    });
  });
});

describe("OMEMO in the gateway", () => {
  it("is never loaded while omemo.enabled is off", async () => {
    let imported = false;
    const { status } = run({ jid: BOT, password: "pw" }, async () => {
      imported = true;
      return {};
    });
    await until(() => status().lifecycle === "ready", { timeout: 10_000 });
    expect(imported).toBe(false);
    expect(status().omemo).toBeUndefined();
  });

  it("blocks the account with an install hint when @clawxmpp/omemo is missing", async () => {
    const missing = Object.assign(
      new Error("Cannot find package '@clawxmpp/omemo' imported from x"),
      {
        code: "ERR_MODULE_NOT_FOUND",
      },
    );
    const { server, status } = run({ jid: BOT, password: "pw", omemo: { enabled: true } }, () =>
      Promise.reject(missing),
    );
    await until(() => status().lifecycle === "blocked", { timeout: 10_000 });
    expect(status()).toMatchObject({ running: false, terminalDisconnect: true });
    expect(String(status().lastError)).toContain("npm install @clawxmpp/omemo");
    expect(server.opens).toHaveLength(0);
  });

  it("keeps its state under the account's directory, shows our device, tells the owner of a new device", async () => {
    const fake = fakeOmemo();
    const raw = {
      jid: BOT,
      password: "pw",
      allowFrom: [OWNER, "*"],
      omemo: { enabled: true, deviceLabel: "Bot" },
      // The avatar composes pubsub too: both features on one client.
      avatar: "/nonexistent/avatar.png",
    };
    const { server, stateDir, status } = run(raw, async () => fake.module);
    await until(() => status().lifecycle === "ready", { timeout: 10_000 });
    const dir = join(stateDir, "plugins", "xmpp", "default");
    expect(fake.options()).toMatchObject({
      store: join(dir, OMEMO_STATE_FILE),
      deviceLabel: "Bot",
    });
    expect(statSync(dir).mode & 0o777).toBe(0o700);

    fake.ready({ deviceId: 1234, fingerprint: "ab".repeat(32), display: "abababab ".repeat(8) });
    await until(() => status().omemo !== undefined);
    const shown = { deviceId: 1234, fingerprint: "abababab ".repeat(8) };
    expect(status().omemo).toEqual(shown);
    expect((await xmppStatusProbe({ account: { accountId: "default" } })).omemo).toEqual(shown);

    // The owner's list is the baseline, fetched when online.
    await until(() => fake.refreshed.includes(OWNER));
    expect(fake.refreshed).toEqual([OWNER]);

    const notice = server.nextSent((element) => element.name === "message");
    fake.events.emit("deviceAdded", { jid: "stranger@example.org", deviceId: 7, own: false });
    fake.events.emit("deviceAdded", { jid: BOT, deviceId: 8, own: true });
    fake.events.emit("deviceAdded", { jid: OWNER, deviceId: 99, own: false });
    const sent = await notice;
    expect(sent.attrs).toMatchObject({ to: OWNER, type: "chat" });
    expect(sent.getChildText("body")).toBe(newDeviceNotice(OWNER, 99));
    expect(newDeviceNotice(OWNER, 99)).toContain("id 99");
  });
});

describe("replies in encrypted conversations", () => {
  function fakeDeps() {
    const sent: OutgoingMessage[] = [];
    const replies: unknown[] = [];
    const deps: ReplyDeps = {
      client: {
        send: async (message: OutgoingMessage) => {
          sent.push(message);
          return { id: "x" };
        },
      } as unknown as Client,
      markers: {
        reply: async (...args: unknown[]) => {
          replies.push(args);
          return { id: "y" };
        },
      } as unknown as MarkersHandle,
      files: undefined,
      sdk: {},
      cfg: {},
      agentId: "main",
      maxBytes: 1_000,
    };
    return { deps, sent, replies };
  }
  const answered = { id: "r1", jid: "room@conference.example.org/alice", body: "hi" };

  it("an encrypted message is answered encrypted, text and links, never as a quoting reply", async () => {
    const { deps, sent, replies } = fakeDeps();
    const target = {
      to: "room@conference.example.org",
      type: "groupchat" as const,
      messageId: "m1",
      answered,
      encrypted: true,
    };
    await deliverReply(
      { text: "secret", replyToId: "m1", mediaUrl: "https://example.org/a.png" },
      target,
      deps,
    );
    expect(replies).toEqual([]);
    expect(sent.map((m) => [m.body, (m as { omemo?: boolean }).omemo])).toEqual([
      ["secret", true],
      ["https://example.org/a.png", true],
    ]);
  });

  it("a plaintext message is answered without an OMEMO mark (the plugin's rules decide)", async () => {
    const { deps, sent } = fakeDeps();
    await deliverReply({ text: "plain" }, { to: OWNER, type: "chat", messageId: "m1" }, deps);
    expect(sent).toHaveLength(1);
    expect("omemo" in (sent[0] as object)).toBe(false);
  });

  it("isEncrypted and withEncryption", () => {
    const stanza = xml("message");
    const base = { stanza } as unknown as Parameters<typeof isEncrypted>[0];
    expect(isEncrypted(base)).toBe(false);
    expect(isEncrypted({ ...base, omemo: { encrypted: true } } as typeof base)).toBe(true);
    const message = { to: OWNER, body: "x" };
    expect(withEncryption(message, true)).toEqual({ ...message, omemo: true });
    expect(withEncryption(message, false)).toBe(message);
    expect(withEncryption(message)).toBe(message);
  });
});
