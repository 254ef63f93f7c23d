/**
 * Foundation integration suite: the core against each real server of the
 * matrix (Prosody 0.12, Prosody 13, ejabberd 24.12) over real sockets.
 */
import {
  AuthError,
  ClawXmppError,
  type Client,
  ConfigError,
  createClient,
  type InboundMessage,
  xml,
} from "@clawxmpp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clientFor,
  type ServerKind,
  serverKinds,
  startServer,
  type XmppServer,
} from "../src/index.js";
import { nextEvent } from "./helpers.js";

/**
 * The strongest mechanism each server offers today's core over TLS 1.3: Prosody 0.12 has no
 * tls-exporter (so no -PLUS) and derives SCRAM-SHA-256 from a plain password; Prosody 13 adds
 * tls-exporter; ejabberd also offers SHA-512.
 */
const EXPECTED_MECHANISM: Record<ServerKind, string> = {
  prosody12: "SCRAM-SHA-256",
  prosody13: "SCRAM-SHA-256-PLUS",
  ejabberd: "SCRAM-SHA-512-PLUS",
};

/** What each server calls itself in XEP-0092. */
const SOFTWARE_NAME: Record<ServerKind, string> = {
  prosody12: "Prosody",
  prosody13: "Prosody",
  ejabberd: "ejabberd",
};

describe.each(serverKinds())("core against %s", (kind) => {
  let server: XmppServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    server = await startServer({ kind });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await server?.stop();
  });

  function track(client: Client): Client {
    clients.push(client);
    return client;
  }

  describe("login and messages", () => {
    it("logs in over STARTTLS with SCRAM and reports online", async () => {
      const alice = track(clientFor(server, "alice"));
      const info = await alice.start();
      expect(info.jid).toMatch(/^alice@localhost\//u);
      expect(info.resumed).toBe(false);
      expect(alice.status).toBe("online");
      expect(alice.stats.mechanism).toBe(EXPECTED_MECHANISM[kind]);
      await alice.stop();
      expect(alice.status).toBe("stopped");
    });

    it("two clients exchange a direct message", async () => {
      const alice = track(clientFor(server, "alice"));
      const bob = track(clientFor(server, "bob"));
      await Promise.all([alice.start(), bob.start()]);
      const received = nextEvent<InboundMessage>(bob, "message", (m) => m.body === "hello bob");
      const { id } = await alice.send({ to: "bob@localhost", body: "hello bob" });
      const message = await received;
      expect(message.from.bare).toBe("alice@localhost");
      expect(message.type).toBe("chat");
      expect(message.id).toBe(id);
      expect(message.originId).toBe(id);
      expect(message.outgoing).toBe(false);
      await Promise.all([alice.stop(), bob.stop()]);
    });

    it("a wrong password fails with AuthError after exactly one attempt", async () => {
      const client = track(
        clientFor(server, "alice", { password: "wrong", reconnect: { initialDelay: 10 } }),
      );
      let attempts = 0;
      client.on("status", (status) => {
        if (status === "connecting") attempts++;
      });
      const error = await client.start({ retryInitialConnect: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      expect((error as AuthError).condition).toBe("not-authorized");
      expect((error as AuthError).terminal).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(attempts).toBe(1);
      expect(client.stats.reconnectAttempts).toBe(0);
      await client.stop();
    });

    it("refuses a certificate it does not trust", async () => {
      const client = track(
        createClient({
          jid: "alice@localhost",
          password: "alice",
          server: "127.0.0.1",
          port: server.c2sPort,
        }),
      );
      const error = await client.start().catch((e: unknown) => e);
      expect((error as ClawXmppError).code).toBe("tls");
      expect((error as ClawXmppError).terminal).toBe(true);
      await client.stop();
    });
  });

  describe("client.iq", () => {
    it("lets an app query the server directly", async () => {
      const alice = track(clientFor(server, "alice"));
      await alice.start();
      const version = await alice.iq.get(
        xml("query", { xmlns: "jabber:iq:version" }),
        server.domain,
      );
      expect(version.getChild("query")?.getChildText("name")).toBe(SOFTWARE_NAME[kind]);
      expect(version.getChild("query")?.getChildText("version")).toContain(server.version);
      await alice.stop();
    });
  });
});

describe("core without a working server", () => {
  const clients: Client[] = [];
  const track = (client: Client) => {
    clients.push(client);
    return client;
  };
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.stop()));
  });

  it("an unreachable server fails with a clear error within the timeout", async () => {
    const started = Date.now();
    const client = track(
      createClient({
        jid: "alice@localhost",
        password: "alice",
        server: "127.0.0.1",
        port: 1,
        timeouts: { connect: 2_000 },
      }),
    );
    const error = await client.start().catch((e: unknown) => e);
    expect(ClawXmppError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/ECONNREFUSED|connect/iu);
    expect(Date.now() - started).toBeLessThan(2_500);
    await client.stop();
  });

  it("a server that never sends features times out at the features step", async () => {
    const { createServer } = await import("node:net");
    const sockets = new Set<import("node:net").Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const client = track(
      createClient({
        jid: "alice@localhost",
        password: "x",
        server: "127.0.0.1",
        port,
        timeouts: { features: 500 },
      }),
    );
    const error = await client.start().catch((e: unknown) => e);
    expect((error as ClawXmppError).code).toBe("timeout");
    expect((error as Error).message).toMatch(/features/u);
    await client.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it("an invalid option names the field", () => {
    expect(() => createClient({ jid: "not a jid", password: "" })).toThrow(ConfigError);
    try {
      createClient({ jid: "bot@localhost", password: "x", port: 70_000 });
    } catch (error) {
      expect((error as ConfigError).issues.map((i) => i.field)).toEqual(["client options.port"]);
      expect((error as Error).message).toMatch(/client options\.port/u);
    }
  });
});
