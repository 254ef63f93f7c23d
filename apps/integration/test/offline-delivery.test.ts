/**
 * RFC 6121 §8.5.2.1.1 / XEP-0160: a chat message to an account with no session is stored and
 * delivered when that account next comes online, on every server of the matrix. ejabberd 24.12
 * deletes the stored messages of an account whose messages MAM archives when it logs in with
 * XEP-0386 Bind2 (mod_offline's bind2 hook: the client is expected to fetch them from the
 * archive), so a client without archive catch-up binds after SASL2 instead, and one with it
 * gets them from the archive.
 */
import { type Client, type InboundMessage, memoryCursor } from "@clawxmpp/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientForOptions,
  clientFor,
  serverKinds,
  startServer,
  type XmppServer,
} from "../src/index.js";
import { nextEvent } from "./helpers.js";

describe.each(serverKinds())("offline delivery on %s", (kind) => {
  let server: XmppServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    server = await startServer({ kind });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  const make = (user: string, overrides: ClientForOptions = {}): Client => {
    const client = clientFor(server, user, overrides);
    clients.push(client);
    return client;
  };

  it("delivers a message sent while the recipient's client was stopped", async () => {
    const alice = make("alice");
    const first = make("bob");
    await Promise.all([alice.start(), first.start()]);
    await first.stop();
    const body = `while away ${Math.random().toString(36).slice(2)}`;
    await alice.send({ to: "bob@localhost", body });
    const bob = make("bob");
    const received = nextEvent<InboundMessage>(bob, "message", (m) => m.body === body, 15_000);
    await bob.start();
    const message = await received;
    expect(message.from.bare).toBe("alice@localhost");
  });

  it("delivers it through the archive to a Bind2 client with archive catch-up", async () => {
    // One cursor across both clients, as a store kept on disk would be across restarts.
    const cursor = memoryCursor();
    const archive = { catchUp: true, cursor };
    const alice = make("alice");
    const first = make("bob", { archive });
    await Promise.all([alice.start(), first.start()]);
    // Prosody 0.12 has no SASL2, so no Bind2.
    expect(first.stats.login?.bind2).toBe(kind !== "prosody12");
    await first.stop();
    const body = `archived ${Math.random().toString(36).slice(2)}`;
    await alice.send({ to: "bob@localhost", body });
    const bob = make("bob", { archive });
    const got: string[] = [];
    bob.on("message", (m: InboundMessage) => {
      if (m.body === body) got.push(m.body);
    });
    const caughtUp = nextEvent(bob, "caughtUp", () => true, 15_000);
    await bob.start();
    await caughtUp;
    // Once: Prosody delivers it from offline storage too, and the client drops the copy.
    expect(got).toEqual([body]);
  });
});
