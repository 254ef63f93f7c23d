import { type Client, type Element, type InboundMessage, xml } from "@clawxmpp/core";
import {
  type FakeServer,
  fakeClient,
  iq,
  nextEvent,
  stanzaError,
  testPluginConformance,
} from "@clawxmpp/test";
import { describe, expect, it } from "vitest";
import {
  FORM_NODE_CONFIG,
  FORM_PUBLISH_OPTIONS,
  NS_PUBSUB,
  NS_PUBSUB_ERRORS,
  NS_PUBSUB_EVENT,
  NS_PUBSUB_OWNER,
} from "./namespaces.js";
import { PubsubError } from "./pubsub-error.js";
import type { PubsubHandle } from "./pubsub-handle.js";
import type { PubsubOptionsInput } from "./pubsub-options.js";
import { pubsub } from "./pubsub-plugin.js";
import type { PubsubEvent } from "./pubsub-types.js";

const ME = "bot@example.test";
const FULL = `${ME}/fake`;
const SERVICE = "pubsub.example.test";

testPluginConformance(pubsub, { options: { notify: ["urn:example:node"] } });

async function setup(options: PubsubOptionsInput = {}) {
  const { server, client } = fakeClient({ jid: ME });
  const handle = client.use(pubsub, options);
  await client.start();
  return { server, client, handle };
}

const pubsubIq = (ns: string, child?: string) => (el: Element) =>
  el.name === "iq" &&
  el.getChild("pubsub", ns) !== undefined &&
  (child === undefined || el.getChild("pubsub", ns)?.getChild(child) !== undefined);

/** Waits for the next pubsub IQ and answers it with `reply(request)`. */
async function answer(
  server: FakeServer,
  match: (el: Element) => boolean,
  reply: (request: Element) => Element,
): Promise<Element> {
  const request = await server.nextSent(match);
  server.receive(reply(request));
  return request;
}

const result = (request: Element, ...children: Element[]) =>
  xml(
    "iq",
    { type: "result", id: request.attrs.id, from: request.attrs.to, to: FULL },
    ...children,
  );

function errorReply(request: Element, condition: string, app?: Element): Element {
  return xml(
    "iq",
    { type: "error", id: request.attrs.id, from: request.attrs.to, to: FULL },
    stanzaError("cancel", condition, undefined, ...(app ? [app] : [])),
  );
}

function formValue(form: Element | undefined, name: string): string[] {
  return (
    form
      ?.getChildren("field")
      .find((f) => f.attrs.var === name)
      ?.getChildren("value")
      .map((v) => v.text()) ?? []
  );
}

function eventMessage(from: string | undefined, ...children: Element[]): Element {
  return xml(
    "message",
    { from, to: FULL, type: "headline", id: `e-${Math.random()}` },
    xml("event", { xmlns: NS_PUBSUB_EVENT }, ...children),
  );
}

const payload = (text: string) => xml("entry", { xmlns: "urn:example" }, text);

/** Collects every event the handle routes, and every message the client emits. */
function record(client: Client, handle: PubsubHandle) {
  const events: PubsubEvent[] = [];
  const messages: InboundMessage[] = [];
  for (const type of ["item", "retract", "delete", "purge"] as const) {
    handle.on(type, (e: PubsubEvent) => events.push(e));
  }
  client.on("message", (m) => messages.push(m));
  return { events, messages };
}

/** Sends a marker message and waits until the client emitted it: everything before it was processed. */
async function flush(server: FakeServer, client: Client): Promise<void> {
  const id = `flush-${Math.random()}`;
  const seen = nextEvent(client, "message", { filter: (m) => m.id === id });
  server.receive(
    xml("message", { from: "x@example.test/r", to: FULL, type: "chat", id }, xml("body", {}, id)),
  );
  await seen;
}

describe("publish", () => {
  it("publishes with publish-options and returns the service's item id", async () => {
    const { server, handle } = await setup();
    const pending = handle.publish("urn:example:node", payload("hi"), {
      options: { access_model: "open", max_items: 1, persist_items: true },
    });
    const request = await answer(server, pubsubIq(NS_PUBSUB, "publish"), (r) =>
      result(
        r,
        xml(
          "pubsub",
          { xmlns: NS_PUBSUB },
          xml("publish", { node: "urn:example:node" }, xml("item", { id: "abc" })),
        ),
      ),
    );
    expect(await pending).toEqual({ id: "abc" });
    expect(request.attrs.to).toBeUndefined(); // PEP: our own account
    const ps = request.getChild("pubsub", NS_PUBSUB);
    expect(ps?.getChild("publish")?.getChild("item")?.getChild("entry")?.text()).toBe("hi");
    const form = ps?.getChild("publish-options")?.getChild("x", "jabber:x:data");
    expect(formValue(form, "FORM_TYPE")).toEqual([FORM_PUBLISH_OPTIONS]);
    expect(formValue(form, "pubsub#access_model")).toEqual(["open"]);
    expect(formValue(form, "pubsub#max_items")).toEqual(["1"]);
    expect(formValue(form, "pubsub#persist_items")).toEqual(["1"]);
  });

  it("configures the node and retries once on precondition-not-met", async () => {
    const { server, handle } = await setup();
    const pending = handle.publish("n", payload("x"), {
      id: "current",
      options: { access_model: "open" },
    });
    await answer(server, pubsubIq(NS_PUBSUB, "publish"), (r) =>
      errorReply(r, "conflict", xml("precondition-not-met", { xmlns: NS_PUBSUB_ERRORS })),
    );
    const configure = await answer(server, pubsubIq(NS_PUBSUB_OWNER, "configure"), (r) =>
      result(r),
    );
    const form = configure
      .getChild("pubsub", NS_PUBSUB_OWNER)
      ?.getChild("configure")
      ?.getChild("x");
    expect(formValue(form, "FORM_TYPE")).toEqual([FORM_NODE_CONFIG]);
    expect(formValue(form, "pubsub#access_model")).toEqual(["open"]);
    await answer(server, pubsubIq(NS_PUBSUB, "publish"), (r) => result(r));
    expect(await pending).toEqual({ id: "current" });
  });

  it("gives up after one retry and reports the application condition", async () => {
    const { server, handle } = await setup();
    const pending = handle.publish("n", payload("x"), { options: { access_model: "open" } });
    const precondition = (r: Element) =>
      errorReply(r, "conflict", xml("precondition-not-met", { xmlns: NS_PUBSUB_ERRORS }));
    await answer(server, pubsubIq(NS_PUBSUB, "publish"), precondition);
    await answer(server, pubsubIq(NS_PUBSUB_OWNER, "configure"), (r) => result(r));
    await answer(server, pubsubIq(NS_PUBSUB, "publish"), precondition);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PubsubError);
    expect(error).toMatchObject({
      code: "refused",
      condition: "conflict",
      pubsubCondition: "precondition-not-met",
      node: "n",
    });
    expect(String((error as Error).message)).toMatch(/^\[pubsub\] pep node "n": conflict/u);
  });

  it("does not reconfigure when told not to", async () => {
    const { server, handle } = await setup();
    const pending = handle.publish("n", payload("x"), {
      options: { access_model: "open" },
      reconfigure: false,
    });
    await answer(server, pubsubIq(NS_PUBSUB, "publish"), (r) =>
      errorReply(r, "conflict", xml("precondition-not-met", { xmlns: NS_PUBSUB_ERRORS })),
    );
    await expect(pending).rejects.toMatchObject({ pubsubCondition: "precondition-not-met" });
  });

  it("retracts with notify", async () => {
    const { server, handle } = await setup();
    const pending = handle.retract("n", "i1", { service: SERVICE });
    const request = await answer(server, pubsubIq(NS_PUBSUB, "retract"), (r) => result(r));
    await pending;
    expect(request.attrs.to).toBe(SERVICE);
    const retract = request.getChild("pubsub", NS_PUBSUB)?.getChild("retract");
    expect(retract?.attrs).toMatchObject({ node: "n", notify: "true" });
    expect(retract?.getChild("item")?.attrs.id).toBe("i1");
  });

  it("rejects bad input before sending", async () => {
    const { handle } = await setup();
    await expect(handle.publish("", payload("x"))).rejects.toMatchObject({
      code: "invalid",
      condition: "invalid",
    });
    await expect(handle.items("n", { max: 0 })).rejects.toMatchObject({ condition: "invalid" });
    await expect(handle.items("n", { service: "a@b/c" })).rejects.toMatchObject({
      condition: "invalid",
    });
    await expect(handle.subscribe("not a jid@@", "n")).rejects.toBeInstanceOf(PubsubError);
    expect(() => handle.notify("")).toThrow(PubsubError);
  });
});

describe("items", () => {
  it("reports an unanswered request as a timeout PubsubError", async () => {
    const { handle } = await setup({ timeout: 5 });
    await expect(handle.items("slow")).rejects.toMatchObject({
      name: "PubsubError",
      condition: "timeout",
      code: "timeout",
      node: "slow",
    });
  });

  it("asks for max_items and reads items, skipping oversized ones", async () => {
    const { server, handle } = await setup({ maxResultItemSize: 200 });
    const pending = handle.items("n", { service: "alice@example.test", max: 2 });
    const request = await answer(server, pubsubIq(NS_PUBSUB, "items"), (r) =>
      result(
        r,
        xml(
          "pubsub",
          { xmlns: NS_PUBSUB },
          xml(
            "items",
            { node: "n" },
            xml("item", { id: "a", publisher: "alice@example.test" }, payload("one")),
            xml("item", { id: "big" }, payload("x".repeat(500))),
            xml("item", { id: "b" }, payload("two")),
          ),
        ),
      ),
    );
    expect(request.getChild("pubsub", NS_PUBSUB)?.getChild("items")?.attrs).toMatchObject({
      node: "n",
      max_items: "2",
    });
    const items = await pending;
    expect(items.map((i) => [i.id, i.payload?.text(), i.publisher])).toEqual([
      ["a", "one", "alice@example.test"],
      ["b", "two", undefined],
    ]);
  });

  it("asks for items by id", async () => {
    const { server, handle } = await setup();
    const pending = handle.items("n", { ids: ["x", "y"] });
    const request = await answer(server, pubsubIq(NS_PUBSUB, "items"), (r) =>
      result(r, xml("pubsub", { xmlns: NS_PUBSUB }, xml("items", { node: "n" }))),
    );
    expect(await pending).toEqual([]);
    const items = request.getChild("pubsub", NS_PUBSUB)?.getChild("items");
    expect(items?.attrs.max_items).toBeUndefined();
    expect(items?.getChildren("item").map((i) => i.attrs.id)).toEqual(["x", "y"]);
  });

  it("turns item-not-found into a PubsubError and a malformed answer into a clear error", async () => {
    const { server, handle } = await setup();
    const missing = handle.items("gone");
    await answer(server, pubsubIq(NS_PUBSUB, "items"), (r) => errorReply(r, "item-not-found"));
    await expect(missing).rejects.toMatchObject({
      name: "PubsubError",
      code: "refused",
      condition: "item-not-found",
    });
    const malformed = handle.items("odd");
    await answer(server, pubsubIq(NS_PUBSUB, "items"), (r) => result(r));
    await expect(malformed).rejects.toMatchObject({ condition: "malformed", code: "malformed" });
  });
});

describe("subscriptions, affiliations and owner use cases", () => {
  it("subscribes with our bare JID and lists our subscriptions and affiliations", async () => {
    const { server, handle } = await setup();
    const sub = handle.subscribe(SERVICE, "news");
    const request = await answer(server, pubsubIq(NS_PUBSUB, "subscribe"), (r) =>
      result(
        r,
        xml(
          "pubsub",
          { xmlns: NS_PUBSUB },
          xml("subscription", { node: "news", jid: ME, subscription: "subscribed", subid: "s1" }),
        ),
      ),
    );
    expect(request.getChild("pubsub", NS_PUBSUB)?.getChild("subscribe")?.attrs.jid).toBe(ME);
    expect(await sub).toEqual({ node: "news", jid: ME, subscription: "subscribed", subid: "s1" });

    const subs = handle.subscriptions({ service: SERVICE });
    await answer(server, pubsubIq(NS_PUBSUB, "subscriptions"), (r) =>
      result(
        r,
        xml(
          "pubsub",
          { xmlns: NS_PUBSUB },
          xml(
            "subscriptions",
            {},
            xml("subscription", { node: "news", jid: ME, subscription: "subscribed" }),
            xml("subscription", { node: "bad", jid: ME, subscription: "weird" }),
            xml("subscription", { node: "nojid", subscription: "subscribed" }),
          ),
        ),
      ),
    );
    expect((await subs).map((s) => s.node)).toEqual(["news"]);

    const affs = handle.affiliations({ service: SERVICE });
    await answer(server, pubsubIq(NS_PUBSUB, "affiliations"), (r) =>
      result(
        r,
        xml(
          "pubsub",
          { xmlns: NS_PUBSUB },
          xml(
            "affiliations",
            {},
            xml("affiliation", { node: "news", affiliation: "owner" }),
            xml("affiliation", { node: "x", affiliation: "king" }),
          ),
        ),
      ),
    );
    expect(await affs).toEqual([{ node: "news", jid: undefined, affiliation: "owner" }]);
  });

  it("creates an instant node with a configuration, reads and changes config, purges and deletes", async () => {
    const { server, handle } = await setup();
    const created = handle.createNode(undefined, { service: SERVICE, config: { max_items: 10 } });
    const createReq = await answer(server, pubsubIq(NS_PUBSUB, "create"), (r) =>
      result(r, xml("pubsub", { xmlns: NS_PUBSUB }, xml("create", { node: "instant-1" }))),
    );
    expect(await created).toBe("instant-1");
    const cfg = createReq.getChild("pubsub", NS_PUBSUB)?.getChild("configure")?.getChild("x");
    expect(formValue(cfg, "pubsub#max_items")).toEqual(["10"]);

    const read = handle.configuration("instant-1", { service: SERVICE });
    await answer(server, pubsubIq(NS_PUBSUB_OWNER, "configure"), (r) =>
      result(
        r,
        xml(
          "pubsub",
          { xmlns: NS_PUBSUB_OWNER },
          xml(
            "configure",
            { node: "instant-1" },
            xml(
              "x",
              { xmlns: "jabber:x:data", type: "form" },
              xml("field", { var: "pubsub#access_model" }, xml("value", {}, "open")),
              xml("field", { var: "pubsub#max_items" }, xml("value", {}, "10")),
            ),
          ),
        ),
      ),
    );
    expect(await read).toMatchObject({
      "pubsub#access_model": ["open"],
      "pubsub#max_items": ["10"],
    });

    const purge = handle.purge("instant-1", { service: SERVICE });
    await answer(server, pubsubIq(NS_PUBSUB_OWNER, "purge"), (r) => result(r));
    await purge;
    const del = handle.deleteNode("instant-1", { service: SERVICE, redirect: "xmpp:x" });
    const delReq = await answer(server, pubsubIq(NS_PUBSUB_OWNER, "delete"), (r) => result(r));
    await del;
    expect(
      delReq.getChild("pubsub", NS_PUBSUB_OWNER)?.getChild("delete")?.getChild("redirect")?.attrs
        .uri,
    ).toBe("xmpp:x");
  });

  it("manages a node's affiliations and subscriptions as owner", async () => {
    const { server, handle } = await setup();
    const list = handle.nodeAffiliations("n", { service: SERVICE });
    await answer(server, pubsubIq(NS_PUBSUB_OWNER, "affiliations"), (r) =>
      result(
        r,
        xml(
          "pubsub",
          { xmlns: NS_PUBSUB_OWNER },
          xml(
            "affiliations",
            { node: "n" },
            xml("affiliation", { jid: ME, affiliation: "owner" }),
            xml("affiliation", { jid: "eve@example.test", affiliation: "outcast" }),
          ),
        ),
      ),
    );
    expect(await list).toEqual([
      { node: "n", jid: ME, affiliation: "owner" },
      { node: "n", jid: "eve@example.test", affiliation: "outcast" },
    ]);
    const set = handle.setNodeAffiliations(
      "n",
      [{ jid: "a@example.test", affiliation: "publisher" }],
      {
        service: SERVICE,
      },
    );
    const setReq = await answer(server, pubsubIq(NS_PUBSUB_OWNER, "affiliations"), (r) =>
      result(r),
    );
    await set;
    expect(
      setReq.getChild("pubsub", NS_PUBSUB_OWNER)?.getChild("affiliations")?.getChild("affiliation")
        ?.attrs,
    ).toEqual({ jid: "a@example.test", affiliation: "publisher" });

    const subs = handle.nodeSubscriptions("n", { service: SERVICE });
    await answer(server, pubsubIq(NS_PUBSUB_OWNER, "subscriptions"), (r) =>
      result(
        r,
        xml(
          "pubsub",
          { xmlns: NS_PUBSUB_OWNER },
          xml(
            "subscriptions",
            { node: "n" },
            xml("subscription", { jid: "b@example.test", subscription: "pending" }),
          ),
        ),
      ),
    );
    expect(await subs).toEqual([
      { node: "n", jid: "b@example.test", subscription: "pending", subid: undefined },
    ]);
  });
});

describe("events", () => {
  it("routes PEP items, retractions, deletes and purges from a contact's bare JID", async () => {
    const { server, client, handle } = await setup();
    const { events, messages } = record(client, handle);
    const perNode: PubsubEvent[] = [];
    const off = handle.onNode("urn:example:node", (e) => perNode.push(e));
    server.receive(
      eventMessage(
        "alice@example.test",
        xml(
          "items",
          { node: "urn:example:node" },
          xml("item", { id: "i1", publisher: "alice@example.test" }, payload("one")),
          xml("retract", { id: "i0" }),
        ),
      ),
    );
    server.receive(eventMessage("alice@example.test", xml("purge", { node: "urn:example:node" })));
    server.receive(
      eventMessage(
        "alice@example.test",
        xml("delete", { node: "other" }, xml("redirect", { uri: "xmpp:new" })),
      ),
    );
    await flush(server, client);
    expect(events.map((e) => [e.type, e.service, e.node, e.pep])).toEqual([
      ["item", "alice@example.test", "urn:example:node", true],
      ["retract", "alice@example.test", "urn:example:node", true],
      ["purge", "alice@example.test", "urn:example:node", true],
      ["delete", "alice@example.test", "other", true],
    ]);
    const item = events[0];
    expect(item?.type === "item" && item.payload?.text()).toBe("one");
    expect(events[3]?.type === "delete" && events[3].redirect).toBe("xmpp:new");
    expect(perNode.map((e) => e.type)).toEqual(["item", "retract", "purge"]);
    // Event-only messages are not surfaced as chat messages.
    expect(messages.map((m) => m.id)).toEqual([expect.stringMatching(/^flush-/u)]);
    off();
    server.receive(eventMessage("alice@example.test", xml("purge", { node: "urn:example:node" })));
    await flush(server, client);
    expect(perNode).toHaveLength(3);
  });

  it("accepts service events only from services we subscribed to or trust", async () => {
    const { server, client, handle } = await setup({ services: ["trusted.example.test"] });
    const { events } = record(client, handle);
    const items = (from: string) =>
      eventMessage(from, xml("items", { node: "news" }, xml("item", { id: from }, payload("x"))));
    server.receive(items(SERVICE)); // not subscribed yet
    server.receive(items("trusted.example.test"));
    server.receive(items("alice@example.test/phone")); // full JID: forged
    await flush(server, client);
    expect(events.map((e) => e.type === "item" && e.id)).toEqual(["trusted.example.test"]);

    const sub = handle.subscribe(SERVICE, "news");
    await answer(server, pubsubIq(NS_PUBSUB, "subscribe"), (r) => result(r));
    await sub;
    server.receive(items(SERVICE));
    await flush(server, client);
    expect(events.map((e) => e.type === "item" && [e.id, e.pep])).toEqual([
      ["trusted.example.test", false],
      [SERVICE, false],
    ]);

    const unsub = handle.unsubscribe(SERVICE, "news");
    await answer(server, pubsubIq(NS_PUBSUB, "unsubscribe"), (r) => result(r));
    await unsub;
    server.receive(items(SERVICE));
    await flush(server, client);
    expect(events).toHaveLength(2);
  });

  it("survives malformed and oversized events without crashing", async () => {
    const { server, client, handle } = await setup({ maxEventItems: 2, maxEventItemSize: 300 });
    const { events, messages } = record(client, handle);
    handle.on("item", () => {
      throw new Error("a bad listener");
    });
    const from = "alice@example.test";
    server.receive(eventMessage(from, xml("items", {}, xml("item", { id: "no-node" }))));
    server.receive(eventMessage(from, xml("items", { node: "n" }, xml("retract", {}))));
    server.receive(eventMessage(from, xml("items", { node: "n" }, "just text")));
    server.receive(eventMessage(from, xml("items", { node: "n" }, xml("item", { id: "empty" }))));
    server.receive(
      eventMessage(
        from,
        xml("items", { node: "n" }, xml("item", { id: "big" }, payload("y".repeat(1000)))),
      ),
    );
    server.receive(
      eventMessage(
        from,
        xml(
          "items",
          { node: "n" },
          ...Array.from({ length: 10 }, (_, i) => xml("item", { id: `many-${i}` }, payload("z"))),
        ),
      ),
    );
    server.receive(eventMessage("not a jid@@", xml("purge", { node: "n" })));
    server.receive(eventMessage(from, xml("unknown", { node: "n" })));
    server.receive(eventMessage(from));
    // An event with a body is still a message the app sees.
    server.receive(
      xml(
        "message",
        { from: `${from}/r`, to: FULL, type: "chat", id: "with-body" },
        xml("body", {}, "hello"),
        xml("event", { xmlns: NS_PUBSUB_EVENT }, xml("purge", { node: "n" })),
      ),
    );
    await flush(server, client);
    expect(events.map((e) => (e.type === "item" ? e.id : e.type))).toEqual([
      "empty",
      "many-0",
      "many-1",
    ]);
    expect(events[0]?.type === "item" && events[0].payload).toBeUndefined();
    expect(messages.map((m) => m.id)).toEqual(["with-body", expect.stringMatching(/^flush-/u)]);
    expect(client.status).toBe("online");
  });

  it("treats an event without from as our own PEP", async () => {
    const { server, client, handle } = await setup();
    const { events } = record(client, handle);
    server.receive(eventMessage(undefined, xml("purge", { node: "mine" })));
    await flush(server, client);
    expect(events).toMatchObject([{ type: "purge", service: ME, pep: true }]);
  });
});

describe("+notify interest", () => {
  async function features(server: FakeServer): Promise<string[]> {
    const id = `disco-${Math.random()}`;
    const reply = server.nextSent((el) => el.name === "iq" && el.attrs.id === id);
    server.receive(
      iq(
        "get",
        { id, from: "example.test", to: FULL },
        xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }),
      ),
    );
    const answerEl = await reply;
    return (
      answerEl
        .getChild("query")
        ?.getChildren("feature")
        .map((f) => f.attrs.var ?? "") ?? []
    );
  }

  it("advertises node+notify from options and for the lifetime of a disposer", async () => {
    const { server, handle } = await setup({ notify: ["urn:a"] });
    expect(await features(server)).toContain("urn:a+notify");
    const presence = server.nextSent((el) => el.name === "presence");
    const dispose = handle.notify("urn:b");
    await presence; // caps changed: a fresh presence goes out so the server re-reads our interests
    expect(await features(server)).toContain("urn:b+notify");
    dispose();
    expect(await features(server)).not.toContain("urn:b+notify");
    await handle.stop();
    expect(await features(server)).not.toContain("urn:a+notify");
  });
});
