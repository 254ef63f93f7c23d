/**
 * `@clawxmpp/pubsub` against a real Prosody 0.12: PEP between two contacts
 * (publish by alice, bob notified through his `+notify` caps interest, the
 * precondition-not-met retry, retract), a pubsub service component (node
 * create/configure/purge/delete as owner, subscriptions, notifications,
 * affiliations), the server's refusals as PubsubErrors, and a forged event
 * that a real server delivers being ignored.
 */
import { type Client, xml } from "@clawxmpp/core";
import { PubsubError, type PubsubHandle, pubsub } from "@clawxmpp/pubsub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, type ProsodyInstance, startProsody } from "../src/index.js";
import { nextEvent } from "./helpers.js";
import { befriend, nextPubsubEvent } from "./pep-helpers.js";

let server: ProsodyInstance;
const clients: Client[] = [];
let alice: { client: Client; ps: PubsubHandle };
let bob: { client: Client; ps: PubsubHandle };
let service: string;

const NS = "urn:clawxmpp:test:status";
const entry = (text: string) => xml("status", { xmlns: NS }, text);

async function start(user: string) {
  const client = clientFor(server, user);
  clients.push(client);
  const ps = client.use(pubsub, {});
  await client.start();
  return { client, ps };
}

beforeAll(async () => {
  // The fixture has no pubsub service; a component is added through the global-section hook
  // (alice is admin, so she owns what she creates there; Prosody lets only admins create nodes).
  server = await startProsody({
    extraGlobal: `admins = { "alice@localhost" }\nComponent "pubsub.localhost" "pubsub"\n`,
  });
  service = `pubsub.${server.domain}`;
  alice = await start("alice");
  bob = await start("bob");
  await befriend(alice.client, bob.client);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.stop()));
  await server?.stop();
});

describe("PEP between two contacts", () => {
  it("bob gets alice's items once he registers +notify interest, then live", async () => {
    const node = `${NS}:live`;
    await alice.ps.publish(node, entry("first"), {
      id: "current",
      options: { access_model: "open" },
    });
    // Prosody learns bob's interest from his caps and sends him the last item…
    const last = nextPubsubEvent(bob.ps, node, (e) => e.type === "item");
    bob.ps.notify(node);
    const first = await last;
    expect(first).toMatchObject({ type: "item", service: alice.client.account.bare, pep: true });
    expect(first.type === "item" && first.payload?.text()).toBe("first");
    // …and every later one as it is published.
    const live = nextPubsubEvent(
      bob.ps,
      node,
      (e) => e.type === "item" && e.payload?.text() === "second",
    );
    await alice.ps.publish(node, entry("second"), { id: "current" });
    const second = await live;
    expect(second.type === "item" && second.id).toBe("current");
  });

  it("bob reads alice's node by max and by id; a retraction reaches him", async () => {
    const node = `${NS}:list`;
    bob.ps.notify(node);
    for (const id of ["a", "b", "c"]) {
      await alice.ps.publish(node, entry(id), {
        id,
        options: { access_model: "open", max_items: 10 },
      });
    }
    const latest = await bob.ps.items(node, { service: alice.client.account.bare, max: 2 });
    expect(latest.map((i) => i.id).sort()).toEqual(["b", "c"]);
    const byId = await bob.ps.items(node, { service: alice.client.account.bare, ids: ["a"] });
    expect(byId.map((i) => i.payload?.text())).toEqual(["a"]);
    const retracted = nextPubsubEvent(bob.ps, node, (e) => e.type === "retract");
    await alice.ps.retract(node, "b");
    expect(await retracted).toMatchObject({
      type: "retract",
      id: "b",
      service: alice.client.account.bare,
    });
  });

  it("configures the node and retries when publish options do not match (precondition-not-met)", async () => {
    const node = `${NS}:precondition`;
    await alice.ps.publish(node, entry("private"), { options: { access_model: "presence" } });
    const strict = alice.ps.publish(node, entry("x"), {
      options: { access_model: "open" },
      reconfigure: false,
    });
    await expect(strict).rejects.toMatchObject({ pubsubCondition: "precondition-not-met" });
    await alice.ps.publish(node, entry("public"), { options: { access_model: "open" } });
    const config = await alice.ps.configuration(node);
    expect(config["pubsub#access_model"]).toEqual(["open"]);
  });

  it("reports the server's refusals as PubsubErrors", async () => {
    const missing = await bob.ps
      .items(`${NS}:never-published`, { service: alice.client.account.bare })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(PubsubError);
    expect(missing).toMatchObject({
      condition: "item-not-found",
      service: alice.client.account.bare,
    });
    const forbidden = await bob.ps
      .publish(`${NS}:live`, entry("intruder"), { service: alice.client.account.bare })
      .catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(PubsubError);
    expect((forbidden as PubsubError).condition).toMatch(/forbidden|not-allowed|bad-request/u);
  });

  it("ignores a forged event a contact sends from a full JID, and stays online", async () => {
    const node = `${NS}:forged`;
    bob.ps.notify(node);
    let forged = 0;
    bob.ps.onNode(node, () => forged++);
    await alice.client.sendStanza(
      xml(
        "message",
        { to: bob.client.jid?.full, type: "headline" },
        xml(
          "event",
          { xmlns: "http://jabber.org/protocol/pubsub#event" },
          xml("items", { node }, xml("item", { id: "evil" }, entry("forged"))),
        ),
      ),
    );
    // A chat message sent after it arrives after it: by then the forged event was handled.
    const probe = nextEvent<{ body?: string }>(bob.client, "message", (m) => m.body === "after");
    await alice.client.send({ to: bob.client.jid?.full ?? "", body: "after" });
    await probe;
    expect(forged).toBe(0);
    expect(bob.client.status).toBe("online");
  });
});

describe("a pubsub service", () => {
  it("owner creates and configures a node; a subscriber is notified of items, purge and delete", async () => {
    const node = `news-${Math.random().toString(36).slice(2, 8)}`;
    expect(
      await alice.ps.createNode(node, { service, config: { max_items: 5, title: "News" } }),
    ).toBe(node);
    await alice.ps.configure(node, { access_model: "open" }, { service });
    expect((await alice.ps.configuration(node, { service }))["pubsub#title"]).toEqual(["News"]);

    const sub = await bob.ps.subscribe(service, node);
    expect(sub).toMatchObject({ subscription: "subscribed", jid: bob.client.account.bare });
    expect((await bob.ps.subscriptions({ service })).map((s) => s.node)).toContain(node);
    expect(await alice.ps.nodeSubscriptions(node, { service })).toEqual([
      expect.objectContaining({ jid: bob.client.account.bare, subscription: "subscribed" }),
    ]);

    const item = nextPubsubEvent(bob.ps, node, (e) => e.type === "item");
    await alice.ps.publish(node, entry("headline"), { service, id: "n1" });
    expect(await item).toMatchObject({ type: "item", id: "n1", service, pep: false });

    const purged = nextPubsubEvent(bob.ps, node, (e) => e.type === "purge");
    await alice.ps.purge(node, { service });
    expect(await purged).toMatchObject({ type: "purge", service });
    expect(await alice.ps.items(node, { service })).toEqual([]);

    await alice.ps.setNodeAffiliations(
      node,
      [{ jid: bob.client.account.bare, affiliation: "publisher" }],
      {
        service,
      },
    );
    expect(await alice.ps.nodeAffiliations(node, { service })).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ jid: alice.client.account.bare, affiliation: "owner" }),
        expect.objectContaining({ jid: bob.client.account.bare, affiliation: "publisher" }),
      ]),
    );
    // Prosody 0.12 does not implement the entity use case of § 5.7; the refusal arrives typed.
    await expect(bob.ps.affiliations({ service })).rejects.toMatchObject({
      name: "PubsubError",
      condition: "service-unavailable",
      service,
    });

    const deleted = nextPubsubEvent(bob.ps, node, (e) => e.type === "delete");
    await alice.ps.deleteNode(node, { service });
    expect(await deleted).toMatchObject({ type: "delete", service });
    await expect(alice.ps.items(node, { service })).rejects.toMatchObject({
      condition: "item-not-found",
    });
  });

  it("unsubscribing stops notifications; refusals are PubsubErrors", async () => {
    const node = `feed-${Math.random().toString(36).slice(2, 8)}`;
    await alice.ps.createNode(node, { service });
    await expect(alice.ps.createNode(node, { service })).rejects.toMatchObject({
      condition: "conflict",
    });
    await expect(bob.ps.createNode(`${node}-bob`, { service })).rejects.toMatchObject({
      condition: "forbidden",
    });
    await bob.ps.subscribe(service, node);
    await bob.ps.unsubscribe(service, node);
    expect((await bob.ps.subscriptions({ service, node })).length).toBe(0);
  });
});
