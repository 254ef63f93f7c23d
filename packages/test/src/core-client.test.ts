import type { InboundMessage } from "@clawxmpp/core";
import {
  AuthError,
  ClawXmppError,
  ConfigError,
  createClient,
  definePlugin,
  xml,
} from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import {
  carbon,
  chat,
  type FakeClock,
  fakeClient,
  fakeClock,
  flush,
  iq,
  nextEvent,
  stanzaError,
  testPluginConformance,
} from "./index.js";

const ACCOUNT = "bot@example.test";

/** A client bound as `${ACCOUNT}/r1` on the fake server, reconnecting within milliseconds. */
function setup(
  options: { streamManagement?: boolean; queueSize?: number; clock?: FakeClock } = {},
) {
  return fakeClient({
    fakeServer: { jid: `${ACCOUNT}/r1`, streamManagement: options.streamManagement ?? false },
    carbons: false,
    reconnect: { initialDelay: 1, maxDelay: 5, jitter: 0 },
    ...(options.queueSize ? { queueSize: options.queueSize } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

const messages = (client: ReturnType<typeof setup>["client"]) => {
  const list: InboundMessage[] = [];
  client.on("message", (m) => list.push(m));
  return list;
};

describe("createClient options", () => {
  it("names every bad field", () => {
    try {
      createClient({ jid: "nope", password: "", port: 0 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const fields = (error as ConfigError).issues.map((i) => i.field).sort();
      expect(fields).toEqual([
        "client options.jid",
        "client options.password",
        "client options.port",
      ]);
    }
  });

  it("refuses plaintext unless explicitly allowed and on loopback", () => {
    expect(() =>
      createClient({ jid: "a@example.org", password: "x", tls: { mode: "none" } }),
    ).toThrow(/allowPlaintextOnLoopback/u);
    expect(() =>
      createClient({
        jid: "a@example.org",
        password: "x",
        tls: { mode: "none", allowPlaintextOnLoopback: true },
      }),
    ).toThrow(/loopback server/u);
    expect(() =>
      createClient({
        jid: "a@example.org",
        password: "x",
        server: "127.0.0.1",
        tls: { mode: "none", allowPlaintextOnLoopback: true },
      }),
    ).not.toThrow();
  });
});

describe("lifecycle", () => {
  it("goes online, reports the bound JID, and stops cleanly", async () => {
    const { client } = setup();
    const info = await client.start();
    expect(info).toEqual({ jid: `${ACCOUNT}/r1`, resumed: false });
    expect(client.jid?.full).toBe(`${ACCOUNT}/r1`);
    await client.stop();
    expect(client.status).toBe("stopped");
    await expect(client.send({ to: "a@example.test", body: "x" })).rejects.toMatchObject({
      code: "stopped",
    });
  });

  it("does not retry after an AuthError", async () => {
    const { server, client } = setup();
    server.failNextOpen(new AuthError("not-authorized"), new AuthError("not-authorized"));
    await expect(client.start({ retryInitialConnect: true })).rejects.toBeInstanceOf(AuthError);
    expect(server.opens).toHaveLength(1);
    await client.stop();
  });

  it("retries transient failures when asked, with backoff", async () => {
    const { server, client } = setup();
    server.failNextOpen(
      new ClawXmppError("connection", "refused"),
      new ClawXmppError("connection", "refused"),
    );
    await client.start({ retryInitialConnect: true });
    expect(server.opens).toHaveLength(3);
    await client.stop();
  });

  it("reconnects after the connection drops and announces it", async () => {
    const { server, client } = setup();
    await client.start();
    const offline = nextEvent(client, "offline");
    const online = nextEvent(client, "online");
    server.drop();
    expect((await offline)[0]).toMatchObject({ willReconnect: true });
    await online;
    expect(client.stats.connects).toBe(2);
    await client.stop();
  });
});

describe("outbound queue", () => {
  it("queues sends while offline and delivers them after reconnect", async () => {
    const { server, client } = setup();
    await client.start();
    server.failNextOpen(new ClawXmppError("connection", "refused"));
    server.drop();
    const sent = client.send({ to: "alice@example.test", body: "while offline" });
    await sent;
    const bodies = server.sent
      .filter((e) => e.name === "message")
      .map((e) => e.getChildText("body"));
    expect(bodies).toEqual(["while offline"]);
    await client.stop();
  });

  it("rejects a send when the queue is full instead of dropping it", async () => {
    const { client } = setup({ queueSize: 2 });
    const a = client.send({ to: "alice@example.test", body: "1" });
    const b = client.send({ to: "alice@example.test", body: "2" });
    await expect(client.send({ to: "alice@example.test", body: "3" })).rejects.toMatchObject({
      code: "queue-full",
    });
    await client.stop();
    await expect(a).rejects.toMatchObject({ code: "stopped" });
    await expect(b).rejects.toMatchObject({ code: "stopped" });
  });

  it("with XEP-0198 resolves a send only when the server acks it", async () => {
    const { server, client } = setup({ streamManagement: true });
    await client.start();
    let done = false;
    const sending = client.send({ to: "alice@example.test", body: "ack me" }).then(() => {
      done = true;
    });
    await server.nextSent((e) => e.is("r", "urn:xmpp:sm:3"));
    expect(done).toBe(false);
    server.receive(xml("a", { xmlns: "urn:xmpp:sm:3", h: 2 })); // initial presence + message
    await sending;
    expect(done).toBe(true);
    await client.stop();
  });

  it("asks once for the acks of sends at chat pace, inline behind each batch of a backlog", async () => {
    const clock = fakeClock(1_000_000);
    const { server, client } = setup({ streamManagement: true, clock });
    await client.start();
    const isR = (e: { is: (name: string, ns: string) => boolean }) => e.is("r", "urn:xmpp:sm:3");
    const before = server.sent.length;
    const few: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      const written = server.nextSent((e) => e.getChildText("body") === `few-${i}`);
      few.push(client.send({ to: "alice@example.test", body: `few-${i}` }));
      await written;
    }
    await flush();
    // Chat pace: no <r/> behind each stanza (that doubles the server's work per message) ...
    expect(server.sent.slice(before).filter(isR)).toHaveLength(0);
    // ... but one shortly after, covering all five.
    clock.advance(5);
    await flush();
    expect(server.sent.slice(before).filter(isR)).toHaveLength(1);
    server.receive(xml("a", { xmlns: "urn:xmpp:sm:3", h: 6 })); // initial presence + five
    await Promise.all(few);
    const start = server.sent.length;
    const backlog = Array.from({ length: 300 }, (_, i) =>
      client.send({ to: "alice@example.test", body: `bulk-${i}` }),
    );
    await server.nextSent((e) => e.getChildText("body") === "bulk-299");
    await flush();
    clock.advance(5);
    await flush();
    const bulk = server.sent.slice(start);
    // A backlog: each batch of 100 carries its own <r/> right behind its last stanza, and that
    // replaces a timed request still pending.
    const requests = bulk.flatMap((e, i) => (isR(e) ? [i] : []));
    expect(requests.length).toBeGreaterThanOrEqual(3);
    expect(requests.length).toBeLessThanOrEqual(4);
    for (const i of requests) expect(bulk[i - 1]?.name).toBe("message");
    expect(bulk.at(-1)?.is("r", "urn:xmpp:sm:3")).toBe(true);
    server.receive(xml("a", { xmlns: "urn:xmpp:sm:3", h: 306 }));
    await Promise.all(backlog);
    await client.stop();
  });

  it("after a resumption re-sends only what the server did not ack, once", async () => {
    const { server, client } = setup({ streamManagement: true });
    await client.start();
    const first = client.send({ to: "alice@example.test", body: "one" });
    const second = client.send({ to: "alice@example.test", body: "two" });
    await server.nextSent((e) => e.getChildText("body") === "two");
    server.nextOpenResult = { resumed: true, ackedByServer: 2, jid: `${ACCOUNT}/r1` }; // presence + "one"
    const resent = server.nextSent((e) => e.getChildText("body") === "two");
    server.drop();
    await first;
    await resent;
    server.receive(xml("a", { xmlns: "urn:xmpp:sm:3", h: 3 }));
    await second;
    const bodies = server.sent
      .filter((e) => e.name === "message")
      .map((e) => e.getChildText("body"));
    expect(bodies).toEqual(["one", "two", "two"]);
    expect(server.opens[1]?.resume).toEqual({ id: "sm-1", h: 0 });
    await client.stop();
  });

  it("answers the server's ack request with the inbound count", async () => {
    const { server, client } = setup({ streamManagement: true });
    await client.start();
    server.receive(chat("alice@example.test/x", ACCOUNT, "hi"));
    server.receive(chat("alice@example.test/x", ACCOUNT, "there"));
    const answering = server.nextSent((e) => e.is("a", "urn:xmpp:sm:3"));
    server.receive(xml("r", { xmlns: "urn:xmpp:sm:3" }));
    const answer = await answering;
    expect(answer.attrs.h).toBe("2");
    await client.stop();
  });
});

describe("inbound guard", () => {
  it("parses a chat message into a typed object", async () => {
    const { server, client } = setup();
    const got = messages(client);
    await client.start();
    server.receive(
      chat(
        "Alice@Example.TEST/phone",
        ACCOUNT,
        "hello",
        { id: "m1" },
        xml("origin-id", { xmlns: "urn:xmpp:sid:0", id: "o1" }),
        xml("stanza-id", { xmlns: "urn:xmpp:sid:0", by: ACCOUNT, id: "s1" }),
        xml("delay", { xmlns: "urn:xmpp:delay", stamp: "2026-01-02T03:04:05Z" }),
      ),
    );
    await flush();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      id: "m1",
      type: "chat",
      body: "hello",
      originId: "o1",
      stanzaIds: { [ACCOUNT]: "s1" },
      outgoing: false,
      via: "live",
    });
    expect(got[0]?.from.bare).toBe("alice@example.test");
    expect(got[0]?.from.resource).toBe("phone");
    expect(got[0]?.delay?.stamp.toISOString()).toBe("2026-01-02T03:04:05.000Z");
    await client.stop();
  });

  it("drops a forged carbon and accepts one from the own bare JID", async () => {
    const { server, client } = setup();
    const got = messages(client);
    await client.start();
    server.receive(
      carbon(
        "received",
        "mallory@example.test",
        ACCOUNT,
        chat("alice@example.test/x", ACCOUNT, "forged"),
      ),
    );
    server.receive(
      carbon(
        "sent",
        ACCOUNT,
        `${ACCOUNT}/r1`,
        chat(`${ACCOUNT}/other`, "alice@example.test", "mine"),
      ),
    );
    server.receive(
      carbon("received", ACCOUNT, `${ACCOUNT}/r1`, chat("alice@example.test/x", ACCOUNT, "real")),
    );
    await flush();
    expect(got.map((m) => [m.body, m.via, m.outgoing])).toEqual([
      ["mine", "carbon", true],
      ["real", "carbon", false],
    ]);
    await client.stop();
  });

  it("turns type=error messages into bounces, never messages", async () => {
    const { server, client } = setup();
    const got = messages(client);
    const bounces: unknown[] = [];
    client.on("bounce", (b) => bounces.push(b));
    await client.start();
    server.receive(
      xml(
        "message",
        { from: "nobody@example.test", to: ACCOUNT, type: "error", id: "x1" },
        xml("body", {}, "echoed text"),
        stanzaError("cancel", "service-unavailable"),
      ),
    );
    await flush();
    expect(got).toHaveLength(0);
    expect(bounces).toMatchObject([{ id: "x1", error: { condition: "service-unavailable" } }]);
    await client.stop();
  });

  it("drops its own echo and duplicates", async () => {
    const { server, client } = setup();
    const got = messages(client);
    await client.start();
    server.receive(chat(`${ACCOUNT}/r1`, ACCOUNT, "echo"));
    const dup = () =>
      chat(
        "alice@example.test/x",
        ACCOUNT,
        "once",
        {},
        xml("stanza-id", { xmlns: "urn:xmpp:sid:0", by: ACCOUNT, id: "same" }),
      );
    server.receive(dup());
    server.receive(dup());
    await flush();
    expect(got.map((m) => m.body)).toEqual(["once"]);
    await client.stop();
  });
});

describe("IQ and discovery", () => {
  /** A plugin adding one disco feature, which changes the caps hash. */
  const featured = definePlugin("featured", (ctx) => {
    ctx.disco.addFeature("urn:example:feature");
    return { stop() {} };
  });

  it("answers unknown get/set with service-unavailable, and version/time/ping/disco once", async () => {
    const { server, client } = setup();
    await client.start();
    /** Alice asks `xmlns` with IQ id `id`; resolves with the client's answer. */
    const ask = (id: string, xmlns: string) => {
      server.receive(iq("get", { from: "alice@example.test/x", id }, xml("query", { xmlns })));
      return server.nextSent((e) => e.attrs.id === id);
    };
    const unknown = await ask("u1", "urn:unknown");
    expect(unknown.attrs.type).toBe("error");
    expect(unknown.getChild("error")?.getChild("service-unavailable")).toBeDefined();
    const version = await ask("v1", "jabber:iq:version");
    expect(version.getChild("query")?.getChildText("name")).toBe("clawxmpp");
    const disco = await ask("d1", "http://jabber.org/protocol/disco#info");
    const features = disco
      .getChild("query")
      ?.getChildren("feature")
      .map((f) => f.attrs.var);
    expect(features).toContain("urn:xmpp:ping");
    await flush();
    expect(server.sent.filter((e) => e.attrs.id === "v1")).toHaveLength(1);
    await client.stop();
  });

  it("ignores an IQ response from someone we did not ask", async () => {
    const { server, client } = setup();
    await client.start();
    const plugin = definePlugin("asker", (ctx) => ({
      ask: () =>
        ctx.iq.get(xml("query", { xmlns: "urn:q" }), "alice@example.test/x", { timeout: 200 }),
      stop() {},
    }));
    const handle = client.use(plugin, undefined);
    const pending = handle.ask();
    const request = await server.nextSent(
      (e) => e.name === "iq" && e.attrs.to === "alice@example.test/x",
    );
    server.receive(iq("result", { from: "mallory@example.test/x", id: request.attrs.id ?? "" }));
    await expect(pending).rejects.toMatchObject({ code: "timeout" });
    await client.stop();
  });

  it("includes caps in presence and changes the hash when a plugin adds a feature", async () => {
    const { server, client } = setup();
    const firstPresence = server.nextSent((e) => e.name === "presence");
    await client.start();
    const first = await firstPresence;
    const ver1 = first.getChild("c", "http://jabber.org/protocol/caps")?.attrs.ver;
    const nextPresence = server.nextSent((e) => e.name === "presence");
    const handle = client.use(featured, undefined);
    const second = await nextPresence;
    expect(second.getChild("c", "http://jabber.org/protocol/caps")?.attrs.ver).not.toBe(ver1);
    await handle.stop();
    await client.stop();
  });

  it("a caps update repeats the last broadcast show and status instead of resetting them", async () => {
    const { server, client } = setup();
    await client.start();
    const busy = server.nextSent((e) => e.name === "presence" && e.getChildText("show") === "dnd");
    await client.sendPresence({}, xml("show", {}, "dnd"), xml("status", {}, "Working"));
    await busy;
    const update = server.nextSent((e) => e.name === "presence");
    const handle = client.use(featured, undefined);
    const sent = await update;
    expect(sent.getChild("c", "http://jabber.org/protocol/caps")).toBeDefined();
    expect(sent.getChildText("show")).toBe("dnd");
    expect(sent.getChildText("status")).toBe("Working");
    await handle.stop();
    await client.stop();
  });
});

const sample = definePlugin("sample", (ctx, _options: { flag?: boolean }) => {
  ctx.client.on("message", () => {});
  ctx.iqHandlers.register("get", "urn:example", "query", () => undefined);
  ctx.disco.addFeature("urn:example");
  ctx.clock.setInterval(() => {}, 1000);
  return { stop() {} };
});
testPluginConformance(sample, { options: {} });

describe("stop", () => {
  it("waits briefly for the server to confirm sends instead of failing them", async () => {
    const { server, client } = setup({ streamManagement: true });
    await client.start();
    const sending = client.send({ to: "alice@example.test", body: "last words" });
    await server.nextSent((e) => e.is("r", "urn:xmpp:sm:3"));
    const stopping = client.stop();
    server.receive(xml("a", { xmlns: "urn:xmpp:sm:3", h: 2 }));
    await stopping;
    await expect(sending).resolves.toEqual({ id: expect.any(String) });
  });
});

describe("reconnect backoff", () => {
  const backoffClient = (reconnect: Record<string, number>) => {
    const { server, client } = fakeClient({
      fakeServer: { jid: `${ACCOUNT}/r1` },
      carbons: false,
      reconnect: { jitter: 0, ...reconnect },
    });
    const delays: number[] = [];
    client.on("offline", ({ retryIn }) => {
      if (retryIn !== undefined) delays.push(retryIn);
    });
    const refused = () => new ClawXmppError("connection", "refused");
    return { server, client, delays, refused };
  };

  it("grows the delay per failed attempt, capped during a short outage, and resets on login", async () => {
    const { server, client, delays, refused } = backoffClient({
      initialDelay: 5,
      fastMaxDelay: 20,
      maxDelay: 1_000,
    });
    await client.start();
    server.failNextOpen(refused(), refused(), refused(), refused());
    const back = nextEvent(client, "online");
    server.drop();
    await back;
    expect(delays).toEqual([5, 10, 20, 20, 20]);
    // A successful login starts over: the next loss retries after the initial delay at once.
    const again = nextEvent(client, "online");
    server.drop();
    await again;
    expect(delays.at(-1)).toBe(5);
    await client.stop();
  });

  it("spreads attempts out to maxDelay once the outage outlasts the fast phase", async () => {
    const { server, client, delays, refused } = backoffClient({
      initialDelay: 5,
      fastMaxDelay: 5,
      fastPhase: 0,
      maxDelay: 20,
    });
    await client.start();
    server.failNextOpen(refused(), refused(), refused());
    const back = nextEvent(client, "online");
    server.drop();
    await back;
    expect(delays).toEqual([5, 10, 20, 20]);
    await client.stop();
  });
});
