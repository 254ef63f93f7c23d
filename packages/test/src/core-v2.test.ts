/**
 * Core v2 on the fake transport: per-conversation ordering, IQ results that
 * never wait behind stanzas, per-sender IQ budgets, origin on the context,
 * the session-setup lane, typed plugin dependencies and the lifecycle fixes.
 */
import {
  ClawXmppError,
  ConfigError,
  definePlugin,
  type Element,
  type InboundMessage,
  introspect,
  memoryCursor,
  xml,
} from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { archiveResult, carbon, chat, fakeClient, iq } from "./index.js";

const ACCOUNT = "bot@example.test";

/** A client bound as `${ACCOUNT}/r1` on the fake server, reconnecting within milliseconds. */
function setup(options: { queueSize?: number; archive?: boolean; cursor?: string } = {}) {
  return fakeClient({
    fakeServer: { jid: `${ACCOUNT}/r1` },
    carbons: false,
    reconnect: { initialDelay: 1, maxDelay: 5, jitter: 0 },
    ...(options.queueSize ? { queueSize: options.queueSize } : {}),
    ...(options.archive
      ? { archive: { catchUp: true, cursor: memoryCursor(options.cursor) } }
      : {}),
  });
}

const inbox = (client: ReturnType<typeof setup>["client"]) => {
  const list: InboundMessage[] = [];
  client.on("message", (m) => list.push(m));
  return list;
};

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("inbound ordering", () => {
  it("keeps order within a conversation and never makes another conversation wait", async () => {
    const { server, client } = setup();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    client.use(
      definePlugin("slow-for-alice", (ctx) => {
        ctx.inbound.use("parse", async (c) => {
          if (c.message?.from.bare === "alice@example.test" && c.message.body === "a1") await gate;
        });
        return { stop() {} };
      }),
      {},
    );
    const got = inbox(client);
    await client.start();
    server.receive(chat("alice@example.test/x", ACCOUNT, "a1"));
    server.receive(chat("alice@example.test/x", ACCOUNT, "a2"));
    server.receive(chat("carol@example.test/x", ACCOUNT, "c1"));
    await settle();
    // Carol is answered while Alice's first message is still being processed.
    expect(got.map((m) => m.body)).toEqual(["c1"]);
    release();
    await settle();
    expect(got.map((m) => m.body)).toEqual(["c1", "a1", "a2"]);
  });

  it("hands an IQ result to a stage handler awaiting it (no deadlock)", async () => {
    const { server, client } = setup();
    client.use(
      definePlugin("fetcher", (ctx) => {
        ctx.inbound.use("decrypt", async (c) => {
          if (c.stanza.getChild("encrypted", "urn:example:enc") === undefined) return;
          const answer = await ctx.iq.get(
            xml("query", { xmlns: "urn:example:keys" }),
            "alice@example.test",
            {
              timeout: 2_000,
            },
          );
          const key = answer.getChild("query")?.getChildText("key") ?? "";
          c.stanza = chat(c.stanza.attrs.from ?? "", ACCOUNT, `decrypted with ${key}`);
        });
        return { stop() {} };
      }),
      {},
    );
    const got = inbox(client);
    await client.start();
    const request = server.nextSent((e) => e.name === "iq" && e.attrs.to === "alice@example.test");
    server.receive(
      xml(
        "message",
        { from: "alice@example.test/x", to: ACCOUNT, type: "chat" },
        xml("encrypted", { xmlns: "urn:example:enc" }),
      ),
    );
    const sent = await request;
    server.receive(
      iq(
        "result",
        { from: "alice@example.test", to: ACCOUNT, id: sent.attrs.id ?? "" },
        xml("query", { xmlns: "urn:example:keys" }, xml("key", {}, "k1")),
      ),
    );
    await settle();
    expect(got.map((m) => m.body)).toEqual(["decrypted with k1"]);
  });
});

describe("IQ budget", () => {
  it("answers a flooding stranger with resource-constraint, then ignores it, while others are served", async () => {
    const { server, client } = setup();
    const got = inbox(client);
    await client.start();
    const disco = () =>
      iq(
        "get",
        { from: "mallory@evil.test/x", to: `${ACCOUNT}/r1` },
        xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }),
      );
    for (let i = 0; i < 1_000; i++) server.receive(disco());
    server.receive(chat("owner@example.test/x", ACCOUNT, "still there?"));
    server.receive(
      iq(
        "get",
        { from: "owner@example.test/x", to: `${ACCOUNT}/r1`, id: "owner-ping" },
        xml("ping", { xmlns: "urn:xmpp:ping" }),
      ),
    );
    await settle();
    expect(got.map((m) => m.body)).toEqual(["still there?"]);
    const toMallory = server.sent.filter(
      (e) => e.name === "iq" && e.attrs.to === "mallory@evil.test/x",
    );
    const results = toMallory.filter((e) => e.attrs.type === "result");
    const refused = toMallory.filter(
      (e) =>
        e.attrs.type === "error" &&
        e.getChild("error")?.getChild("resource-constraint") !== undefined,
    );
    // The burst, plus what the bucket refilled while the flood was being read.
    expect(results.length).toBeGreaterThanOrEqual(100);
    expect(results.length).toBeLessThan(130);
    expect(refused.length).toBe(1);
    expect(server.sent.some((e) => e.attrs.id === "owner-ping" && e.attrs.type === "result")).toBe(
      true,
    );
    expect(introspect(client).lanes).toBe(0);
  });
});

describe("origin travels on the context", () => {
  const swapper = definePlugin("swapper", (ctx) => {
    ctx.inbound.use("decrypt", (c) => {
      // Replace the stanza with a copy, as a decrypting plugin does.
      c.stanza = xml(
        "message",
        { ...c.stanza.attrs },
        xml("body", {}, `plain ${c.stanza.getChildText("body") ?? ""}`),
      );
    });
    return { stop() {} };
  });

  it("keeps a sent carbon outgoing after the stanza was replaced", async () => {
    const { server, client } = setup();
    client.use(swapper, {});
    const got = inbox(client);
    await client.start();
    const fromOurPhone = chat(`${ACCOUNT}/phone`, "alice@example.test", "hi");
    server.receive(carbon("sent", ACCOUNT, `${ACCOUNT}/r1`, fromOurPhone));
    await settle();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ via: "carbon", outgoing: true, body: "plain hi" });
  });

  it("delivers an ejabberd-shaped archive result once and counts it, after a stanza swap", async () => {
    const { server, client } = setup({ archive: true, cursor: "prev" });
    client.use(swapper, {});
    const got = inbox(client);
    const caughtUp = new Promise<{ fetched: number }>((resolve) =>
      client.once("caughtUp", resolve),
    );
    const query = server.nextSent((e) => e.getChild("query", "urn:xmpp:mam:2") !== undefined);
    await client.start();
    const sent = await query;
    const queryid = sent.getChild("query")?.attrs.queryid ?? "";
    // ejabberd's shape: the archive (our bare JID) names itself, the forwarded copy carries the
    // archive's stanza-id.
    server.receive(
      archiveResult(
        ACCOUNT,
        `${ACCOUNT}/r1`,
        { queryid, id: "1796132063544413", stamp: "2026-11-30T10:00:00Z" },
        xml(
          "message",
          { to: ACCOUNT, from: "bob@example.test/main", type: "chat", id: "88f5" },
          xml("stanza-id", { xmlns: "urn:xmpp:sid:0", by: ACCOUNT, id: "1796132063544413" }),
          xml("body", {}, "hi"),
        ),
      ),
    );
    server.receive(
      iq(
        "result",
        { id: sent.attrs.id ?? "" },
        xml(
          "fin",
          { xmlns: "urn:xmpp:mam:2", complete: "true" },
          xml(
            "set",
            { xmlns: "http://jabber.org/protocol/rsm" },
            xml("last", {}, "1796132063544413"),
          ),
        ),
      ),
    );
    expect(await caughtUp).toEqual({ fetched: 1 });
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ via: "archive", body: "plain hi" });
    expect(got[0]?.delay?.stamp.toISOString()).toBe("2026-11-30T10:00:00.000Z");
  });
});

describe("session-setup lane", () => {
  it("writes presence before a full backlog after reconnect and refuses no setup stanza", async () => {
    const { server, client } = setup({ queueSize: 5 });
    await client.start();
    server.drop();
    const sends = Array.from({ length: 5 }, (_, i) =>
      client.send({ to: "alice@example.test", body: `m${i}` }),
    );
    await expect(client.send({ to: "alice@example.test", body: "over" })).rejects.toMatchObject({
      code: "queue-full",
    });
    const before = server.sent.length;
    await Promise.all(sends);
    const after = server.sent.slice(before);
    expect(after[0]?.name).toBe("presence");
    expect(after.filter((e) => e.name === "message")).toHaveLength(5);
  });

  it("drops setup stanzas of a session that ended before they were written", async () => {
    const { server, client } = setup();
    await client.start();
    server.drop();
    const stale = client.sendStanza(xml("presence", { to: "room@muc.example.test/bot" }), {
      setup: true,
    });
    await expect(stale).rejects.toMatchObject({ code: "connection" });
    expect(server.sent.some((e) => e.attrs.to === "room@muc.example.test/bot")).toBe(false);
  });
});

describe("plugin dependencies", () => {
  const base = definePlugin("base", (ctx) => ({
    value: 42,
    stopped: false,
    stop() {
      this.stopped = true;
      void ctx;
    },
  }));

  it("refuses a plugin whose dependency is not in use, naming both", () => {
    const { client } = setup();
    const dependent = definePlugin({
      name: "dependent",
      requires: { base },
      setup: (ctx) => ({ read: () => ctx.deps.base.value, stop() {} }),
    });
    expect(() => client.use(dependent, {})).toThrow(ConfigError);
    expect(() => client.use(dependent, {})).toThrow(/requires "base"/u);
  });

  const missing = definePlugin("missing", () => ({ stop() {} }));

  it("hands the dependency's handle over typed, and stops the dependent first", async () => {
    const { client } = setup();
    const order: string[] = [];
    const b = client.use(base, {});
    const dependent = definePlugin({
      name: "dependent",
      requires: { base },
      optional: { missing },
      setup: (ctx) => ({
        read: () => ctx.deps.base.value,
        hasMissing: () => ctx.deps.missing !== undefined,
        stop() {
          order.push(`dependent (base stopped: ${ctx.deps.base.stopped})`);
        },
      }),
    });
    const d = client.use(dependent, {});
    expect(d.read()).toBe(42);
    expect(d.hasMissing()).toBe(false);
    await b.stop();
    expect(order).toEqual(["dependent (base stopped: false)"]);
    expect(introspect(client).plugins).toEqual([]);
  });

  it("runs every cleanup even when one throws", async () => {
    const { client } = setup();
    const ran: string[] = [];
    const handle = client.use(
      definePlugin("messy", (ctx) => {
        ctx.onStop(() => {
          ran.push("first");
        });
        ctx.onStop(() => {
          throw new Error("boom");
        });
        ctx.disco.addFeature("urn:example:messy");
        return {
          stop() {
            throw new Error("stop failed");
          },
        };
      }),
      {},
    );
    await handle.stop();
    expect(ran).toEqual(["first"]);
    expect(introspect(client).discoFeatures).not.toContain("urn:example:messy");
  });
});

describe("lifecycle", () => {
  it("settles a retrying start() when stop() is called", async () => {
    const { server, client } = setup();
    for (let i = 0; i < 50; i++) server.failNextOpen(new ClawXmppError("connection", "refused"));
    const starting = client.start({ retryInitialConnect: true });
    await settle();
    await client.stop();
    await expect(starting).rejects.toMatchObject({ code: "stopped" });
    await expect(client.start()).rejects.toMatchObject({ code: "stopped" });
  });

  it("send() returns the id the stanza went out with after the stages changed it", async () => {
    const { server, client } = setup();
    client.use(
      definePlugin("renamer", (ctx) => {
        ctx.outbound.use("encrypt", (c) => {
          const copy: Element = xml("message", { ...c.stanza.attrs, id: "changed-id" });
          c.stanza = copy;
        });
        return { stop() {} };
      }),
      {},
    );
    await client.start();
    const { id } = await client.send({ to: "alice@example.test", body: "x" });
    expect(id).toBe("changed-id");
    expect(server.sent.some((e) => e.attrs.id === "changed-id")).toBe(true);
  });
});

describe("end-to-end delivery (delivery.receipts)", () => {
  function reliable() {
    return fakeClient({
      fakeServer: { jid: `${ACCOUNT}/r1`, streamManagement: true },
      carbons: false,
      reconnect: { initialDelay: 1, maxDelay: 5, jitter: 0 },
      delivery: { receipts: true },
    });
  }
  const isMessage = (id: string) => (e: Element) => e.name === "message" && e.attrs.id === id;

  it("sends a message the server acked but the peer never confirmed once more after a new session", async () => {
    const { server, client } = reliable();
    await client.start();
    const sending = client.send({ to: "alice@example.test", body: "important", id: "m1" });
    const first = await server.nextSent(isMessage("m1"));
    expect(first.getChild("request", "urn:xmpp:receipts")).toBeDefined();
    // The server acknowledges presence and the message (h counts both), then dies.
    server.receive(xml("a", { xmlns: "urn:xmpp:sm:3", h: 2 }));
    await sending;
    const again = server.nextSent(isMessage("m1"));
    server.drop();
    const resent = await again;
    expect(resent.getChild("origin-id", "urn:xmpp:sid:0")?.attrs.id).toBe("m1");
    // The new server acknowledges presence and the copy.
    server.receive(xml("a", { xmlns: "urn:xmpp:sm:3", h: 2 }));
    // Once the peer confirms, it is not sent again after the next loss.
    server.receive(
      xml(
        "message",
        { from: "alice@example.test/phone", to: `${ACCOUNT}/r1` },
        xml("received", { xmlns: "urn:xmpp:receipts", id: "m1" }),
      ),
    );
    const before = server.sent.filter((e) => e.attrs.id === "m1").length;
    const back = new Promise((resolve) => client.once("online", resolve));
    server.drop();
    await back;
    await settle();
    expect(server.sent.filter((e) => e.attrs.id === "m1").length).toBe(before);
  });

  it("re-sends an acked, unconfirmed message after a new session even when the queue is full", async () => {
    const { server, client } = fakeClient({
      fakeServer: { jid: `${ACCOUNT}/r1`, streamManagement: true },
      carbons: false,
      reconnect: { initialDelay: 1, maxDelay: 5, jitter: 0 },
      delivery: { receipts: true },
      queueSize: 2,
    });
    await client.start();
    const sending = client.send({ to: "alice@example.test", body: "important", id: "m1" });
    await server.nextSent(isMessage("m1"));
    server.receive(xml("a", { xmlns: "urn:xmpp:sm:3", h: 2 }));
    await sending;
    const back = new Promise((resolve) => client.once("online", resolve));
    server.drop();
    // The application fills the queue while the connection is down (nobody acks them later).
    const backlog = ["b1", "b2"].map((id) =>
      client.send({ to: "alice@example.test", body: id, id }).catch(() => {}),
    );
    await expect(client.send({ to: "alice@example.test", body: "b3" })).rejects.toMatchObject({
      code: "queue-full",
    });
    await back;
    await settle();
    // Refused here, the copy would wait for yet another session; after the last one it was lost.
    expect(server.sent.filter(isMessage("m1"))).toHaveLength(2);
    void backlog;
  });

  it("answers receipt requests, duplicates included, and marks the message answered", async () => {
    const { server, client } = reliable();
    const got = inbox(client);
    await client.start();
    const request = () =>
      chat(
        "alice@example.test/phone",
        ACCOUNT,
        "hello",
        { id: "a1" },
        xml("origin-id", { xmlns: "urn:xmpp:sid:0", id: "a1" }),
        xml("request", { xmlns: "urn:xmpp:receipts" }),
      );
    server.receive(request());
    server.receive(request());
    await settle();
    expect(got).toHaveLength(1);
    expect(got[0]?.receiptAnswered).toBe(true);
    const receipts = server.sent.filter(
      (e) => e.getChild("received", "urn:xmpp:receipts")?.attrs.id === "a1",
    );
    expect(receipts).toHaveLength(2);
    expect(receipts[0]?.attrs.to).toBe("alice@example.test/phone");
  });
});
