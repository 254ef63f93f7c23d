import { ClawXmppError, definePlugin, type Element, introspect, xml } from "@clawxmpp/core";
import { chat, type FakeServer, fakeServer, iq } from "@clawxmpp/test";
import { afterEach, describe, expect, it } from "vitest";
import { type Component, ComponentError, type ComponentEvents, createComponent } from "./index.js";

const DOMAIN = "bots.example.org";
const SERVER = "example.org";
const DISCO_INFO = "http://jabber.org/protocol/disco#info";
const DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
const NS_PRIV = "urn:xmpp:privilege:2";
const NS_DELEG = "urn:xmpp:delegation:2";
const NS_DELEG_1 = "urn:xmpp:delegation:1";
const NS_FWD = "urn:xmpp:forward:0";

let component: Component | undefined;
afterEach(async () => {
  await component?.stop();
  component = undefined;
});

async function started(server = fakeServer({ jid: DOMAIN })): Promise<[Component, FakeServer]> {
  component = createComponent({
    domain: DOMAIN,
    secret: "s3cret",
    transport: server.factory,
    keepalive: { interval: 0 },
    reconnect: { initialDelay: 1, fastMaxDelay: 5, jitter: 0 },
  });
  await component.start();
  return [component, server];
}

function next<K extends keyof ComponentEvents & string>(
  c: Component,
  event: K,
): Promise<ComponentEvents[K]> {
  return new Promise((resolve) => c.once(event, (...args) => resolve(args)));
}

const isIq = (id: string) => (el: Element) => el.name === "iq" && el.attrs.id === id;

function privilegeAdvert(from: string, ...perms: Element[]): Element {
  return xml("message", { from, to: DOMAIN }, xml("privilege", { xmlns: NS_PRIV }, ...perms));
}

describe("component on core", () => {
  it("comes online as its domain, of kind component, without presence or carbons", async () => {
    const [c, server] = await started();
    expect(c.kind).toBe("component");
    expect(c.jid?.full).toBe(DOMAIN);
    expect(c.account.bare).toBe(DOMAIN);
    await c.send({ to: "alice@example.org", body: "first" });
    expect(server.sent.map((el) => el.name)).toEqual(["message"]);
  });

  it("sends from any JID of its domain, and from the domain by default", async () => {
    const [c, server] = await started();
    const sent = server.nextSent((el) => el.name === "message");
    await c.send({ from: "a@bots.example.org", to: "alice@example.org", body: "hi" });
    expect((await sent).attrs).toMatchObject({
      from: "a@bots.example.org",
      to: "alice@example.org",
    });
    const plain = server.nextSent((el) => el.name === "message");
    await c.send({ to: "alice@example.org", body: "hi" });
    expect((await plain).attrs.from).toBe(DOMAIN);
  });

  it("sends a message without from from the JID its recipient last wrote to", async () => {
    const [c, server] = await started();
    const got = next(c, "message");
    server.receive(chat("alice@example.org/phone", "b@bots.example.org", "to b"));
    await got;
    const answer = server.nextSent((el) => el.name === "message");
    await c.send({ to: "alice@example.org/phone", body: "receipt-like" });
    expect((await answer).attrs.from).toBe("b@bots.example.org");
    const other = server.nextSent((el) => el.name === "message");
    await c.send({ to: "carol@example.org", body: "never wrote" });
    expect((await other).attrs.from).toBe(DOMAIN);
  });

  it("receives messages for every JID of the domain, with the addressee", async () => {
    const [c, server] = await started();
    const got = next(c, "message");
    server.receive(chat("alice@example.org/phone", "b@bots.example.org", "hello b"));
    const [message] = await got;
    expect(message.to?.bare).toBe("b@bots.example.org");
    expect(message.body).toBe("hello b");
  });

  it("answers IQs from the JID they were addressed to", async () => {
    const [, server] = await started();
    const answer = server.nextSent(isIq("p1"));
    server.receive(
      iq(
        "get",
        { from: "alice@example.org/x", to: "a@bots.example.org", id: "p1" },
        xml("ping", { xmlns: "urn:xmpp:ping" }),
      ),
    );
    expect((await answer).attrs).toMatchObject({
      type: "result",
      from: "a@bots.example.org",
      to: "alice@example.org/x",
    });
  });

  it("addresses its own IQ requests without a recipient to a full JID of its domain (keepalive round trip)", async () => {
    // Full, not bare: ejabberd's mod_privilege drops unwrapped IQs to resourceless JIDs.
    const self = `${DOMAIN}/keepalive`;
    const [c, server] = await started();
    const request = server.nextSent((el) => el.name === "iq" && el.attrs.type === "get");
    const answered = c.iq.get(xml("ping", { xmlns: "urn:xmpp:ping" }));
    const sent = await request;
    expect(sent.attrs).toMatchObject({ to: self, from: self });
    server.receive(xml("iq", { type: "result", id: sent.attrs.id, from: self, to: self }));
    await expect(answered).resolves.toBeDefined();
  });

  it("answers its own keepalive ping, routed back by the server, from and to the same full JID", async () => {
    const self = `${DOMAIN}/keepalive`;
    const [, server] = await started();
    const answer = server.nextSent((el) => el.name === "iq" && el.attrs.type === "result");
    server.receive(
      xml(
        "iq",
        { type: "get", id: "k1", from: self, to: self },
        xml("ping", { xmlns: "urn:xmpp:ping" }),
      ),
    );
    expect((await answer).attrs).toMatchObject({ id: "k1", from: self, to: self });
  });

  it("queues sends while reconnecting and delivers them after", async () => {
    const [c, server] = await started();
    const offline = next(c, "offline");
    server.drop();
    await offline;
    const online = next(c, "online");
    const sending = c.send({
      from: "a@bots.example.org",
      to: "alice@example.org",
      body: "while away",
    });
    await online;
    await sending;
    const delivered = server.sent.find((el) => el.getChildText("body") === "while away");
    expect(delivered?.attrs.from).toBe("a@bots.example.org");
  });

  it("stops reconnecting after a terminal handshake refusal", async () => {
    const server = fakeServer({ jid: DOMAIN });
    server.failNextOpen(
      new ComponentError("handshake", "wrong secret", {
        terminal: true,
        condition: "not-authorized",
      }),
    );
    component = createComponent({ domain: DOMAIN, secret: "x", transport: server.factory });
    const error = await component.start({ retryInitialConnect: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComponentError);
    expect((error as ComponentError).code).toBe("handshake");
    expect(server.opens).toHaveLength(1);
  });
});

describe("per-JID disco", () => {
  async function ask(server: FakeServer, ns: string, to: string, node?: string): Promise<Element> {
    const id = `d-${Math.random()}`;
    const answer = server.nextSent(isIq(id));
    server.receive(
      iq("get", { from: "alice@example.org/x", to, id }, xml("query", { xmlns: ns, node })),
    );
    return answer;
  }
  const identities = (el: Element) =>
    el
      .getChild("query")
      ?.getChildren("identity")
      .map((i) => `${i.attrs.category}/${i.attrs.type}`);
  const features = (el: Element) =>
    el
      .getChild("query")
      ?.getChildren("feature")
      .map((f) => f.attrs.var) ?? [];

  it("answers the domain as a service and its users as bots, each from itself", async () => {
    const [c, server] = await started();
    c.use(
      definePlugin({
        name: "feat",
        setup(ctx) {
          ctx.disco.addFeature("urn:xmpp:receipts");
          return { stop() {} };
        },
      }),
      {},
    );
    c.disco.set("a@bots.example.org", {
      identities: [{ category: "client", type: "bot", name: "A" }],
      features: ["urn:example:a"],
      items: [{ jid: "a@bots.example.org", node: "cmds", name: "Commands" }],
      nodes: {
        cmds: {
          identities: [{ category: "automation", type: "command-list" }],
          features: ["http://jabber.org/protocol/commands"],
        },
      },
    });
    const domain = await ask(server, DISCO_INFO, DOMAIN);
    expect(domain.attrs.from).toBe(DOMAIN);
    expect(identities(domain)).toEqual(["component/generic"]);
    expect(features(domain)).toContain("urn:xmpp:receipts");
    expect(features(domain)).not.toContain("http://jabber.org/protocol/caps");

    const a = await ask(server, DISCO_INFO, "a@bots.example.org");
    expect(a.attrs.from).toBe("a@bots.example.org");
    expect(identities(a)).toEqual(["client/bot"]);
    expect(features(a)).toEqual(
      expect.arrayContaining(["urn:example:a", DISCO_INFO, DISCO_ITEMS, "urn:xmpp:receipts"]),
    );

    const b = await ask(server, DISCO_INFO, "b@bots.example.org/res");
    expect(identities(b)).toEqual(["client/bot"]);
    expect(features(b)).not.toContain("urn:example:a");

    const node = await ask(server, DISCO_INFO, "a@bots.example.org", "cmds");
    expect(node.getChild("query")?.attrs.node).toBe("cmds");
    expect(identities(node)).toEqual(["automation/command-list"]);
    expect(features(node)).toContain("http://jabber.org/protocol/commands");

    const items = await ask(server, DISCO_ITEMS, "a@bots.example.org");
    expect(
      items
        .getChild("query")
        ?.getChildren("item")
        .map((i) => i.attrs.node),
    ).toEqual(["cmds"]);

    const missing = await ask(server, DISCO_INFO, "a@bots.example.org", "nope");
    expect(missing.attrs.type).toBe("error");
    expect(missing.getChild("error")?.getChild("item-not-found")).toBeDefined();
  });

  it("answers item-not-found for unlisted users when userIdentity is false", async () => {
    const server = fakeServer({ jid: DOMAIN });
    component = createComponent({
      domain: DOMAIN,
      secret: "s",
      transport: server.factory,
      userIdentity: false,
    });
    await component.start();
    const answer = await ask(server, DISCO_INFO, "ghost@bots.example.org");
    expect(answer.attrs.type).toBe("error");
    expect(answer.attrs.from).toBe("ghost@bots.example.org");
  });
});

describe("XEP-0356 privileges", () => {
  it("parses the server's advertisement as typed state", async () => {
    const [c, server] = await started();
    const granted = next(c, "privileges");
    server.receive(
      privilegeAdvert(
        SERVER,
        xml("perm", { access: "roster", type: "both", push: "true" }),
        xml("perm", { access: "message", type: "outgoing" }),
        xml("perm", { access: "iq" }, xml("namespace", { ns: "urn:xmpp:mam:2", type: "get" })),
      ),
    );
    const [privileges] = await granted;
    expect(privileges).toMatchObject({
      roster: "both",
      rosterPush: true,
      message: "outgoing",
      presence: "none",
    });
    expect(privileges.iq.get("urn:xmpp:mam:2")).toBe("get");
    expect(c.privileges).toBe(privileges);
  });

  it("skips IQ namespaces of type none (ejabberd lists other components' grants so)", async () => {
    const [c, server] = await started();
    const granted = next(c, "privileges");
    server.receive(
      privilegeAdvert(
        SERVER,
        xml(
          "perm",
          { access: "iq" },
          xml("namespace", { ns: "jabber:iq:version", type: "get" }),
          xml("namespace", { ns: "urn:xmpp:time", type: "none" }),
        ),
      ),
    );
    const [privileges] = await granted;
    expect([...privileges.iq]).toEqual([["jabber:iq:version", "get"]]);
  });

  it("refuses forged and malformed advertisements with clear errors", async () => {
    const [c, server] = await started();
    const forged = next(c, "invalid");
    server.receive(
      privilegeAdvert("evil.example.net", xml("perm", { access: "roster", type: "both" })),
    );
    expect((await forged)[0].message).toMatch(/only example\.org may grant/);
    const bad = next(c, "invalid");
    server.receive(privilegeAdvert(SERVER, xml("perm", { access: "roster", type: "everything" })));
    const [error] = await bad;
    expect(error.code).toBe("malformed");
    expect(error.message).toMatch(/^\[component\] invalid roster permission type "everything"/);
    const empty = next(c, "invalid");
    server.receive(privilegeAdvert(SERVER));
    expect((await empty)[0].code).toBe("malformed");
    expect(c.privileges.roster).toBe("none");
  });

  it("reads and edits a user's roster only when granted", async () => {
    const [c, server] = await started();
    await expect(c.rosterGet("alice@example.org")).rejects.toMatchObject({
      code: "not-privileged",
    });
    const granted = next(c, "privileges");
    server.receive(privilegeAdvert(SERVER, xml("perm", { access: "roster", type: "get" })));
    await granted;
    await expect(c.rosterGet("alice@other.org")).rejects.toMatchObject({ code: "not-privileged" });
    await expect(
      c.rosterSet("alice@example.org", { jid: "x@y", subscription: "none", groups: [] }),
    ).rejects.toMatchObject({ code: "not-privileged" });
    const request = server.nextSent((el) => el.name === "iq" && el.attrs.type === "get");
    const roster = c.rosterGet("alice@example.org");
    const sent = await request;
    expect(sent.attrs).toMatchObject({ to: "alice@example.org", from: DOMAIN });
    server.receive(
      xml(
        "iq",
        { type: "result", id: sent.attrs.id, from: "alice@example.org", to: DOMAIN },
        xml(
          "query",
          { xmlns: "jabber:iq:roster" },
          xml(
            "item",
            { jid: "bob@example.org", name: "Bob", subscription: "both" },
            xml("group", {}, "friends"),
          ),
          xml("item", { jid: "not a jid@@" }),
          xml("item", { jid: "carol@example.org", subscription: "bogus" }),
        ),
      ),
    );
    expect(await roster).toEqual([
      { jid: "bob@example.org", name: "Bob", subscription: "both", groups: ["friends"] },
      { jid: "carol@example.org", name: undefined, subscription: "none", groups: [] },
    ]);
  });

  it("sends a message on behalf of a user, forwarded to the server", async () => {
    const [c, server] = await started();
    await expect(
      c.sendAs({ from: "alice@example.org", to: "bob@example.org", body: "x" }),
    ).rejects.toMatchObject({ code: "not-privileged" });
    const granted = next(c, "privileges");
    server.receive(privilegeAdvert(SERVER, xml("perm", { access: "message", type: "outgoing" })));
    await granted;
    await expect(
      c.sendAs({ from: "alice@example.org/phone", to: "bob@example.org" }),
    ).rejects.toMatchObject({ code: "protocol" });
    const sent = server.nextSent((el) => el.name === "message");
    await c.sendAs({ from: "alice@example.org", to: "bob@example.org", body: "on behalf" });
    const outer = await sent;
    expect(outer.attrs).toMatchObject({ to: SERVER, from: DOMAIN });
    const inner = outer
      .getChild("privilege", NS_PRIV)
      ?.getChild("forwarded", NS_FWD)
      ?.getChild("message");
    expect(inner?.attrs).toMatchObject({
      xmlns: "jabber:client",
      from: "alice@example.org",
      to: "bob@example.org",
    });
    expect(inner?.getChildText("body")).toBe("on behalf");
  });
});

describe("XEP-0356 privileged IQs and reconnects", () => {
  it("sends an IQ as a user when granted and unwraps the forwarded answer", async () => {
    const [c, server] = await started();
    const version = () => xml("query", { xmlns: "jabber:iq:version" });
    await expect(c.privilegedIq("alice@example.org", "get", version())).rejects.toMatchObject({
      code: "not-privileged",
    });
    const granted = next(c, "privileges");
    server.receive(
      privilegeAdvert(
        SERVER,
        xml("perm", { access: "iq" }, xml("namespace", { ns: "jabber:iq:version", type: "get" })),
      ),
    );
    await granted;
    await expect(c.privilegedIq("alice@example.org", "set", version())).rejects.toMatchObject({
      code: "not-privileged",
    });

    const answerWith = async (inner: Element | undefined) => {
      const request = server.nextSent((el) => el.name === "iq" && el.attrs.type === "get");
      const pending = c.privilegedIq("alice@example.org", "get", version(), SERVER);
      const sent = await request;
      const wrapped = sent.getChild("privileged_iq", NS_PRIV)?.getChild("iq");
      expect(sent.attrs).toMatchObject({ to: "alice@example.org", from: DOMAIN });
      expect(wrapped?.attrs).toMatchObject({
        xmlns: "jabber:client",
        type: "get",
        from: "alice@example.org",
        to: SERVER,
      });
      server.receive(
        xml(
          "iq",
          { type: "result", id: sent.attrs.id, from: "alice@example.org", to: DOMAIN },
          inner && xml("privilege", { xmlns: NS_PRIV }, xml("forwarded", { xmlns: NS_FWD }, inner)),
        ),
      );
      return pending;
    };
    const ok = await answerWith(
      xml(
        "iq",
        { xmlns: "jabber:client", type: "result", id: "x", from: SERVER },
        xml("query", { xmlns: "jabber:iq:version" }, xml("name", {}, "Prosody")),
      ),
    );
    expect(ok.getChild("query")?.getChildText("name")).toBe("Prosody");
    await expect(
      answerWith(
        xml(
          "iq",
          { xmlns: "jabber:client", type: "error", id: "x" },
          xml(
            "error",
            { type: "cancel" },
            xml("feature-not-implemented", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" }),
          ),
        ),
      ),
    ).rejects.toMatchObject({ condition: "feature-not-implemented" });
    await expect(answerWith(undefined)).rejects.toMatchObject({ code: "malformed" });
  });

  it("forgets grants when the connection ends (the server advertises them again)", async () => {
    const [c, server] = await started();
    const granted = next(c, "privileges");
    server.receive(privilegeAdvert(SERVER, xml("perm", { access: "roster", type: "both" })));
    await granted;
    expect(c.privileges.roster).toBe("both");
    const offline = next(c, "offline");
    server.drop();
    await offline;
    expect(c.privileges.roster).toBe("none");
  });
});

// ejabberd 24.12 speaks XEP-0355 v0.3 (`urn:xmpp:delegation:1`), prosody-modules v0.4+ (`:2`).
describe.each([NS_DELEG, NS_DELEG_1])("XEP-0355 delegation in %s", (NS) => {
  const NS_X = "urn:example:delegated";

  function delegated(from: string, outerId: string, inner: Element): Element {
    return xml(
      "iq",
      { type: "set", from, to: DOMAIN, id: outerId },
      xml("delegation", { xmlns: NS }, xml("forwarded", { xmlns: NS_FWD }, inner)),
    );
  }

  async function withDelegation(): Promise<[Component, FakeServer]> {
    const [c, server] = await started();
    c.use(
      definePlugin({
        name: "answers-x",
        setup(ctx) {
          ctx.iqHandlers.register("get", NS_X, "query", ({ from }) =>
            xml("query", { xmlns: NS_X }, xml("asker", {}, from ?? "")),
          );
          return { stop() {} };
        },
      }),
      {},
    );
    const advertised = next(c, "delegations");
    server.receive(
      xml(
        "message",
        { from: SERVER, to: DOMAIN },
        xml(
          "delegation",
          { xmlns: NS },
          xml("delegated", { namespace: NS_X }, xml("attribute", { name: "node" })),
        ),
      ),
    );
    const [list] = await advertised;
    expect(list).toEqual([{ namespace: NS_X, attributes: ["node"] }]);
    expect(c.delegations.has(NS_X)).toBe(true);
    return [c, server];
  }

  it("unwraps a delegated IQ, answers it through the IQ handlers and wraps the answer", async () => {
    const [, server] = await withDelegation();
    const answer = server.nextSent(isIq("outer-1"));
    server.receive(
      delegated(
        SERVER,
        "outer-1",
        xml(
          "iq",
          {
            xmlns: "jabber:client",
            type: "get",
            id: "in-1",
            from: "alice@example.org/phone",
            to: "alice@example.org",
          },
          xml("query", { xmlns: NS_X, node: "n" }),
        ),
      ),
    );
    const outer = await answer;
    expect(outer.attrs).toMatchObject({ type: "result", to: SERVER, from: DOMAIN });
    const inner = outer.getChild("delegation", NS)?.getChild("forwarded", NS_FWD)?.getChild("iq");
    expect(inner?.attrs).toMatchObject({
      xmlns: "jabber:client",
      type: "result",
      id: "in-1",
      to: "alice@example.org/phone",
      from: "alice@example.org",
    });
    expect(inner?.getChild("query", NS_X)?.getChildText("asker")).toBe("alice@example.org/phone");
  });

  it("refuses forged, undelegated and malformed delegated IQs without crashing", async () => {
    const [c, server] = await withDelegation();
    const ask = async (stanza: Element) => {
      const invalid = next(c, "invalid");
      const answer = server.nextSent(isIq(stanza.attrs.id ?? ""));
      server.receive(stanza);
      const [reply, [error]] = await Promise.all([answer, invalid]);
      expect(reply.attrs.type).toBe("error");
      expect(error).toBeInstanceOf(ComponentError);
      return reply.getChild("error")?.getChildElements()[0]?.name;
    };
    const innerIq = (ns: string) =>
      xml(
        "iq",
        { type: "get", id: "i", from: "alice@example.org/p", to: "alice@example.org" },
        xml("query", { xmlns: ns }),
      );
    expect(await ask(delegated("mallory@example.org", "o1", innerIq(NS_X)))).toBe("forbidden");
    expect(await ask(delegated(SERVER, "o2", innerIq("urn:not:delegated")))).toBe("forbidden");
    expect(
      await ask(
        xml(
          "iq",
          { type: "set", from: SERVER, to: DOMAIN, id: "o3" },
          xml("delegation", { xmlns: NS }),
        ),
      ),
    ).toBe("bad-request");
    expect(await ask(delegated(SERVER, "o4", xml("iq", { type: "result", id: "r" })))).toBe(
      "bad-request",
    );
    expect(
      await ask(
        delegated(SERVER, "o5", xml("iq", { type: "get", id: "r", from: "alice@example.org" })),
      ),
    ).toBe("bad-request");
    const bad = next(c, "invalid");
    server.receive(
      xml(
        "message",
        { from: SERVER, to: DOMAIN },
        xml("delegation", { xmlns: NS }, xml("delegated", {})),
      ),
    );
    expect((await bad)[0].message).toMatch(/without namespace/);
    expect(c.delegations.has(NS_X)).toBe(true);
    expect(c.status).toBe("online");
  });

  it("answers in the namespace the request came in, whatever the advert used", async () => {
    const [, server] = await withDelegation();
    const other = NS === NS_DELEG ? NS_DELEG_1 : NS_DELEG;
    const answer = server.nextSent(isIq("outer-x"));
    server.receive(
      xml(
        "iq",
        { type: "set", from: SERVER, to: DOMAIN, id: "outer-x" },
        xml(
          "delegation",
          { xmlns: other },
          xml(
            "forwarded",
            { xmlns: NS_FWD },
            xml(
              "iq",
              { type: "get", id: "in-x", from: "alice@example.org/p", to: "alice@example.org" },
              xml("query", { xmlns: NS_X }),
            ),
          ),
        ),
      ),
    );
    const outer = await answer;
    expect(outer.getChild("delegation", NS)).toBeUndefined();
    expect(
      outer.getChild("delegation", other)?.getChild("forwarded", NS_FWD)?.getChild("iq")?.attrs
        .type,
    ).toBe("result");
  });
});

describe("XEP-0355 disco nesting", () => {
  it.each([
    "urn:xmpp:delegation:2::urn:example:delegated",
    "urn:xmpp:delegation:2:bare:urn:example:delegated",
    "urn:xmpp:delegation:1::urn:example:delegated",
    "urn:xmpp:delegation:1:bare:urn:example:delegated",
  ])("answers the nesting node %s of a delegated namespace to its server", async (node) => {
    const [c, server] = await started();
    const ask = async (from: string, node: string) => {
      const id = `n-${Math.random()}`;
      const answer = server.nextSent(isIq(id));
      server.receive(
        iq("get", { from, to: DOMAIN, id }, xml("query", { xmlns: DISCO_INFO, node })),
      );
      return answer;
    };
    const fromServer = await ask(SERVER, node);
    expect(fromServer.attrs.type).toBe("result");
    expect(
      fromServer
        .getChild("query")
        ?.getChildren("feature")
        .map((f) => f.attrs.var),
    ).toContain("urn:example:delegated");
    expect((await ask("alice@example.org/x", node)).attrs.type).toBe("error");
    expect(c.delegations.size).toBe(0);
  });
});

describe("plugins on a component", () => {
  it("see kind component and the same context; introspection reaches the client", async () => {
    const [c] = await started();
    let kind: string | undefined;
    const handle = c.use(
      definePlugin({
        name: "probe",
        setup(ctx) {
          kind = ctx.client.kind;
          return { stop() {} };
        },
      }),
      {},
    );
    expect(kind).toBe("component");
    expect(introspect(c as never).plugins).toEqual(["component-disco", "probe"]);
    await handle.stop();
    expect(ClawXmppError.isInstance(new ComponentError("protocol", "x"))).toBe(true);
  });
});
