/**
 * Issue 3 on the real server: resumption, restarts, queued sends, keepalive,
 * carbons and bounces, discovery. Each scenario counts messages and asserts
 * that every one arrives exactly once.
 */
import {
  type Client,
  type ClientOptions,
  definePlugin,
  type InboundMessage,
  memoryCursor,
  StanzaError,
  xml,
} from "@clawxmpp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, type ProsodyInstance, startProsody } from "../src/index.js";
import { nextEvent, until } from "./helpers.js";

let server: ProsodyInstance;
const clients: Client[] = [];

beforeAll(async () => {
  server = await startProsody({ smacksHibernationSeconds: 30 });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.stop()));
  await server?.stop();
});

const fast: Partial<ClientOptions> = {
  reconnect: { initialDelay: 50, fastMaxDelay: 400, maxDelay: 400, jitter: 0 },
};

function make(user: string, overrides: Partial<ClientOptions> = {}): Client {
  const client = clientFor(server, user, { ...fast, ...overrides });
  clients.push(client);
  return client;
}

/** Collects bodies of chat messages from `from` (bare). */
function inbox(client: Client, from: string): string[] {
  const bodies: string[] = [];
  client.on("message", (m: InboundMessage) => {
    if (m.from.bare === from && m.body !== undefined && !m.outgoing) bodies.push(m.body);
  });
  return bodies;
}

function duplicates(list: string[]): string[] {
  const seen = new Set<string>();
  return list.filter((item) => {
    if (seen.has(item)) return true;
    seen.add(item);
    return false;
  });
}

const probe = definePlugin("probe", (ctx) => ({ iq: ctx.iq, stop() {} }));

describe("stream management", () => {
  it("resumes after the socket is killed mid-traffic: no new login, nothing lost or duplicated", async () => {
    const alice = make("alice");
    const bot = make("bot");
    await Promise.all([alice.start(), bot.start()]);
    const atAlice = inbox(alice, "bot@localhost");
    const atBot = inbox(bot, "alice@localhost");
    const resumed = nextEvent<{ resumed: boolean }>(bot, "online", (i) => i.resumed);
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      sends.push(bot.send({ to: "alice@localhost", body: `b${i}` }));
      sends.push(alice.send({ to: "bot@localhost", body: `a${i}` }));
      if (i === 80) bot.dropConnection();
    }
    await resumed;
    await Promise.all(sends);
    await until(() => atAlice.length >= 200 && atBot.length >= 200, 15_000, "all messages");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(atAlice).toHaveLength(200);
    expect(atBot).toHaveLength(200);
    expect(duplicates(atAlice)).toEqual([]);
    expect(new Set(atBot).size).toBe(200);
    expect(atAlice).toEqual(Array.from({ length: 200 }, (_, i) => `b${i}`));
    expect(bot.stats.connects).toBe(1);
    expect(bot.stats.resumes).toBe(1);
    await Promise.all([alice.stop(), bot.stop()]);
  });

  it("delivers a send made during a disconnect after the reconnect", async () => {
    const alice = make("alice");
    const bot = make("bot");
    await Promise.all([alice.start(), bot.start()]);
    const atAlice = inbox(alice, "bot@localhost");
    const offline = nextEvent(bot, "offline");
    bot.dropConnection();
    await offline;
    expect(bot.status).toBe("reconnecting");
    const sent = bot.send({ to: "alice@localhost", body: "sent while offline" });
    await sent;
    await until(() => atAlice.includes("sent while offline"), 10_000, "queued message");
    expect(atAlice.filter((b) => b === "sent while offline")).toHaveLength(1);
    await Promise.all([alice.stop(), bot.stop()]);
  });
});

describe("server restarts", () => {
  it("SIGKILL + restart 10 times while both sides send: every message exactly once, delays follow the backoff", async () => {
    const archive = { catchUp: true };
    const alice = make("alice", {
      archive: { ...archive, cursor: memoryCursor() },
      timeouts: { features: 2_000 },
    });
    const bot = make("bot", {
      archive: { ...archive, cursor: memoryCursor() },
      timeouts: { features: 2_000 },
    });
    await Promise.all([alice.start(), bot.start()]);
    const atAlice = inbox(alice, "bot@localhost");
    const atBot = inbox(bot, "alice@localhost");
    const retryDelays: number[] = [];
    bot.on("offline", ({ retryIn }) => {
      if (retryIn !== undefined) retryDelays.push(retryIn);
    });
    const sends: Promise<unknown>[] = [];
    let n = 0;
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 10; i++, n++) {
        sends.push(bot.send({ to: "alice@localhost", body: `kb${n}` }));
        sends.push(alice.send({ to: "bot@localhost", body: `ka${n}` }));
      }
      await server.kill();
      for (let i = 0; i < 5; i++, n++) {
        // Sent while the server is down: queued, delivered later.
        sends.push(bot.send({ to: "alice@localhost", body: `kb${n}` }));
        sends.push(alice.send({ to: "bot@localhost", body: `ka${n}` }));
      }
      await server.restart();
      await until(
        () => bot.status === "online" && alice.status === "online",
        20_000,
        `both online (round ${round})`,
      );
    }
    await Promise.all(sends);
    const missing = (list: string[], prefix: string) =>
      Array.from({ length: n }, (_, i) => `${prefix}${i}`).filter((x) => !list.includes(x));
    await until(
      () => new Set(atAlice).size >= n && new Set(atBot).size >= n,
      30_000,
      "all messages after restarts",
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}; missing at alice: ${missing(atAlice, "kb")}; at bot: ${missing(atBot, "ka")}`,
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(duplicates(atAlice)).toEqual([]);
    expect(duplicates(atBot)).toEqual([]);
    expect(new Set(atAlice)).toEqual(new Set(Array.from({ length: n }, (_, i) => `kb${i}`)));
    expect(new Set(atBot)).toEqual(new Set(Array.from({ length: n }, (_, i) => `ka${i}`)));
    // Backoff without jitter: every delay is 50·2^k capped at 400, and never shrinks within a run of failures.
    const allowed = new Set([50, 100, 200, 400]);
    expect(retryDelays.length).toBeGreaterThanOrEqual(10);
    expect(retryDelays.every((d) => allowed.has(d))).toBe(true);
    expect(retryDelays).toContain(100);
    await Promise.all([alice.stop(), bot.stop()]);
  }, 180_000);
});

describe("archive catch-up", () => {
  it("hands over what arrived while the client was away, each message once", async () => {
    const cursor = memoryCursor();
    const alice = make("alice");
    await alice.start();
    const first = make("bot", { archive: { catchUp: true, cursor } });
    await first.start();
    const seenFirst = nextEvent<InboundMessage>(first, "message", (m) => m.body === "before");
    await alice.send({ to: "bot@localhost", body: "before" });
    await seenFirst;
    await first.stop();
    for (let i = 0; i < 30; i++) await alice.send({ to: first.jid?.full ?? "", body: `away ${i}` });
    for (let i = 0; i < 5; i++) await alice.send({ to: "bot@localhost", body: `offline ${i}` });
    const second = make("bot", { archive: { catchUp: true, cursor, pageSize: 7 } });
    const got: InboundMessage[] = [];
    let archivedBeforeCaughtUp = -1;
    second.on("message", (m) => got.push(m));
    const caughtUp = nextEvent<{ fetched: number }>(second, "caughtUp", () => {
      archivedBeforeCaughtUp = got.filter((m) => m.via === "archive").length;
      return true;
    });
    await second.start();
    // `fetched` counts what the archive handed over (copies already delivered from offline
    // storage are duplicates, not counted).
    expect((await caughtUp).fetched).toBe(archivedBeforeCaughtUp);
    await until(() => got.filter((m) => m.body?.startsWith("offline")).length >= 5);
    const bodies = got.map((m) => m.body);
    expect(new Set(bodies).size).toBe(bodies.length);
    expect(bodies).not.toContain("before");
    for (let i = 0; i < 30; i++) expect(bodies).toContain(`away ${i}`);
    await Promise.all([alice.stop(), second.stop()]);
  });
});

describe("keepalive", () => {
  it("detects a dead server (SIGSTOP) with pings and recovers when it answers again", async () => {
    const bot = make("bot", {
      keepalive: { interval: 500, timeout: 1_000 },
      timeouts: { features: 1_000, connect: 1_000 },
    });
    await bot.start();
    const offline = nextEvent<{ error?: Error }>(bot, "offline", () => true, 15_000);
    server.pause();
    try {
      const info = await offline;
      expect(info.error).toBeDefined();
    } finally {
      server.resume();
    }
    await until(() => bot.status === "online", 20_000, "back online");
    await bot.stop();
  });
});

describe("guard on the real server", () => {
  it("drops a forged carbon and surfaces real ones as carbons", async () => {
    const alice = make("alice");
    const bot = make("bot");
    const botPhone = make("bot");
    await Promise.all([alice.start(), bot.start(), botPhone.start()]);
    const seen: InboundMessage[] = [];
    bot.on("message", (m) => seen.push(m));
    const forged = xml(
      "message",
      { to: "bot@localhost", type: "chat" },
      xml(
        "received",
        { xmlns: "urn:xmpp:carbons:2" },
        xml(
          "forwarded",
          { xmlns: "urn:xmpp:forward:0" },
          xml(
            "message",
            { from: "bob@localhost/x", to: "bot@localhost", type: "chat" },
            xml("body", {}, "forged"),
          ),
        ),
      ),
    );
    await alice.sendStanza(forged);
    await alice.send({ to: "bot@localhost", body: "after the forgery" });
    // A message to the bot's other resource reaches this one as a carbon.
    await alice.send({ to: botPhone.jid?.full ?? "", body: "to the phone" });
    await until(
      () =>
        seen.some((m) => m.body === "after the forgery") &&
        seen.some((m) => m.body === "to the phone"),
    );
    expect(seen.some((m) => m.body === "forged")).toBe(false);
    expect(seen.find((m) => m.body === "to the phone")).toMatchObject({
      via: "carbon",
      outgoing: false,
    });
    await Promise.all([alice.stop(), bot.stop(), botPhone.stop()]);
  });

  it("never surfaces a type=error bounce as a message", async () => {
    const alice = make("alice");
    const bot = make("bot");
    await Promise.all([alice.start(), bot.start()]);
    const seen: InboundMessage[] = [];
    bot.on("message", (m) => seen.push(m));
    const bounce = nextEvent<{ id?: string; error: StanzaError }>(bot, "bounce");
    const { id } = await bot.send({ to: "nobody-here@localhost", body: "anyone?" });
    const bounced = await bounce;
    expect(bounced.id).toBe(id);
    expect(bounced.error).toBeInstanceOf(StanzaError);
    await alice.sendStanza(
      xml(
        "message",
        { to: "bot@localhost", type: "error" },
        xml("body", {}, "i am an error"),
        xml("error", { type: "cancel" }),
      ),
    );
    await alice.send({ to: "bot@localhost", body: "normal" });
    await until(() => seen.some((m) => m.body === "normal"));
    expect(seen.map((m) => m.body)).not.toContain("anyone?");
    expect(seen.map((m) => m.body)).not.toContain("i am an error");
    await Promise.all([alice.stop(), bot.stop()]);
  });

  it("surfaces a subscription request and does not approve it", async () => {
    const alice = make("alice");
    const bot = make("bot");
    await Promise.all([alice.start(), bot.start()]);
    const request = nextEvent<{ from: { bare: string } }>(bot, "subscription");
    await alice.sendStanza(xml("presence", { to: "bot@localhost", type: "subscribe" }));
    expect((await request).from.bare).toBe("alice@localhost");
    const answers: string[] = [];
    alice.on("presence", (p) => {
      if (p.from.bare === "bot@localhost" && p.type !== "available") answers.push(p.type);
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(answers).not.toContain("subscribed");
    await Promise.all([alice.stop(), bot.stop()]);
  });
});

describe("discovery and IQs", () => {
  it("answers disco#info, caps, version, time and ping; unknown IQs get service-unavailable", async () => {
    const alice = make("alice");
    const bot = make("bot", { software: { name: "probe-bot", version: "9.9" } });
    const capsSeen = new Promise<string | undefined>((resolve) => {
      alice.on("presence", (p) => {
        const caps = p.stanza.getChild("c", "http://jabber.org/protocol/caps");
        if (p.from.bare === "bot@localhost" && p.type === "available" && caps)
          resolve(caps.attrs.ver);
      });
    });
    await alice.start();
    // Let alice see the bot's presence: mutual subscription is not needed for directed presence.
    await bot.start();
    await bot.sendPresence({ to: alice.jid?.full ?? "" });
    const ver = await capsSeen;
    const { iq } = alice.use(probe, undefined);
    const target = bot.jid?.full ?? "";

    const info = await iq.get(
      xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }),
      target,
    );
    const query = info.getChild("query");
    const features = query?.getChildren("feature").map((f) => f.attrs.var ?? "") ?? [];
    expect(features).toEqual(
      expect.arrayContaining([
        "urn:xmpp:ping",
        "jabber:iq:version",
        "urn:xmpp:time",
        "http://jabber.org/protocol/caps",
      ]),
    );
    // XEP-0115 §5.1: recompute the hash from what disco#info says; it must match the presence.
    const { createHash } = await import("node:crypto");
    const identities = (query?.getChildren("identity") ?? [])
      .map(
        (i) =>
          `${i.attrs.category}/${i.attrs.type}/${i.attrs["xml:lang"] ?? ""}/${i.attrs.name ?? ""}<`,
      )
      .sort()
      .join("");
    const s =
      identities +
      [...features]
        .sort()
        .map((f) => `${f}<`)
        .join("");
    expect(createHash("sha1").update(s).digest("base64")).toBe(ver);

    const version = await iq.get(xml("query", { xmlns: "jabber:iq:version" }), target);
    expect(version.getChild("query")?.getChildText("name")).toBe("probe-bot");
    expect(version.getChild("query")?.getChildText("version")).toBe("9.9");

    const time = await iq.get(xml("time", { xmlns: "urn:xmpp:time" }), target);
    const utc = Date.parse(time.getChild("time")?.getChildText("utc") ?? "");
    expect(Math.abs(utc - Date.now())).toBeLessThan(5_000);

    await iq.get(xml("ping", { xmlns: "urn:xmpp:ping" }), target);
    const unknown = await iq
      .get(xml("query", { xmlns: "urn:example:nothing" }), target)
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(StanzaError);
    expect((unknown as StanzaError).condition).toBe("service-unavailable");
    await Promise.all([alice.stop(), bot.stop()]);
  });
});
