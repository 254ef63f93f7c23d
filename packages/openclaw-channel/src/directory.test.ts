import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fetchRoster, xml } from "@clawxmpp/core";
import { chat, fakeServer, iq, until } from "@clawxmpp/test";
import { describe, expect, it } from "vitest";
import { archiveCursor } from "./archive-cursor.js";
import { xmppDirectory, xmppHeartbeat, xmppStatusProbe } from "./directory.js";
import { startXmppAccount } from "./gateway.js";
import { registerLiveClient } from "./live-clients.js";
import type { OpenclawSdk } from "./openclaw-sdk.js";
import { createStateStore } from "./state-store.js";
import {
  BOT,
  cleanupsAfterEach,
  gatewayContext,
  liveBot,
  onFake,
  onlineBot,
  recordingPairing,
} from "./test-harness.fixture.js";

const LONG = { timeout: 10_000 };
const cleanups = cleanupsAfterEach();

describe("roster and directory", () => {
  it("reads the roster (RFC 6121 §2.2), skipping invalid and full JIDs", async () => {
    const { server, client } = await onlineBot();
    cleanups.push(
      registerLiveClient("default", {
        client,
        roster: async () => (await fetchRoster(client.iq)).map((c) => c.jid),
      }),
    );
    const listing = xmppDirectory.listPeers({ accountId: "default", query: "example" });
    const request = await server.nextSent((e) => e.name === "iq");
    expect(request.getChild("query", "jabber:iq:roster")).toBeDefined();
    server.receive(
      iq(
        "result",
        { id: request.attrs.id ?? "" },
        xml(
          "query",
          { xmlns: "jabber:iq:roster" },
          xml("item", { jid: "Alice@Example.org", name: "Alice" }),
          xml("item", { jid: "carol@example.org/phone" }),
          xml("item", { jid: "not a jid" }),
          xml("item", { jid: "bob@example.org" }),
        ),
      ),
    );
    expect(await listing).toEqual([
      { kind: "user", id: "alice@example.org" },
      { kind: "user", id: "bob@example.org" },
    ]);
  });

  it("outside the gateway, lists the configured JIDs and rooms", async () => {
    const cfg = {
      channels: {
        xmpp: {
          jid: BOT,
          allowFrom: ["owner@example.org"],
          groupAllowFrom: ["member@example.org", "*"],
          groups: ["team@conference.example.org"],
        },
      },
    };
    expect(await xmppDirectory.listPeers({ cfg, accountId: "other" })).toEqual([]);
    expect(await xmppDirectory.listPeers({ cfg })).toEqual([
      { kind: "user", id: "owner@example.org" },
      { kind: "user", id: "member@example.org" },
    ]);
    expect(await xmppDirectory.listGroups({ cfg, limit: 5 })).toEqual([
      { kind: "group", id: "team@conference.example.org" },
    ]);
    expect(await xmppDirectory.self({ cfg })).toBeNull();
  });
});

describe("status probe and heartbeat", () => {
  it("reports the live connection, not the config", async () => {
    expect(await xmppStatusProbe({ account: { accountId: "default" } })).toMatchObject({
      ok: false,
      status: "not running",
    });
    expect(await xmppHeartbeat.checkReady({ accountId: "default" })).toEqual({
      ok: false,
      reason: "xmpp account is not connected",
    });
    const { server } = await liveBot({}, { markers: { chatStates: { sendTo: "always" } } });
    expect(await xmppStatusProbe({ account: { accountId: "default" } })).toMatchObject({
      ok: true,
      status: "online",
      jid: `${BOT}/openclaw`,
      connects: 1,
      resumes: 0,
      lastError: null,
    });
    expect((await xmppHeartbeat.checkReady({ accountId: "default" })).ok).toBe(true);
    await xmppHeartbeat.sendTyping({ cfg: {}, to: "xmpp:alice@example.org" });
    const typing = server.sent.find((e) => e.attrs.to === "alice@example.org")!;
    expect(typing.getChild("composing", "http://jabber.org/protocol/chatstates")).toBeDefined();
    expect(typing.attrs.type).toBe("chat");
  });
});

describe("archive cursor", () => {
  it("round-trips through the state directory with mode 0600", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xmpp-cursor-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = createStateStore({ stateDir: dir, accountId: "default" });
    const cursor = archiveCursor(store);
    expect(await cursor.load()).toBeUndefined();
    await cursor.save("stanza-id-42");
    expect(
      await archiveCursor(createStateStore({ stateDir: dir, accountId: "default" })).load(),
    ).toBe("stanza-id-42");
    expect(statSync(join(store.dir, "archive-cursor.json")).mode & 0o777).toBe(0o600);
  });
});

describe("gateway composition", () => {
  it("routes inbound chat through the policy to OpenClaw's pairing controller and reports counters", async () => {
    const server = fakeServer({ jid: `${BOT}/openclaw` });
    const { pairing, challenges } = recordingPairing("Pairing code: ZZZZ2222");
    const sdk = {
      createChannelPairingController: () => pairing,
    } as unknown as OpenclawSdk;
    const { ctx, controller, status } = gatewayContext({ jid: BOT, password: "pw" });
    const running = startXmppAccount(ctx, { sdk, createClient: onFake(server) });
    await until(() => status().lifecycle === "ready", LONG);
    expect(status()).toMatchObject({ connects: 1, resumes: 0, reconnectAttempts: 0 });
    server.receive(chat("alice@example.org/phone", BOT, "hello"));
    const reply = await server.nextSent((e) => e.getChildText("body") === "Pairing code: ZZZZ2222");
    expect(reply.attrs.to).toBe("alice@example.org");
    expect(challenges).toEqual(["alice@example.org"]);
    controller.abort();
    await running;
  });
});
