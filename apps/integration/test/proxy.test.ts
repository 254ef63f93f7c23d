/**
 * `tcpProxy` between today's core and each real server: latency, and a man in
 * the middle terminating STARTTLS with the server's own certificate. Channel
 * binding (SCRAM `-PLUS`, RFC 5802 §6 with tls-exporter, RFC 9266) notices the
 * middle; stripping the `-PLUS` mechanisms hides it unless the client checks
 * the server's hash of its offer (XEP-0474, not in the core yet).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { AuthError, type Client } from "@clawxmpp/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  clientFor,
  type ServerKind,
  serverKinds,
  startServer,
  type TcpProxy,
  tcpProxy,
  type XmppServer,
} from "../src/index.js";

/** Whether the server offers today's core a channel-bound mechanism over TLS 1.3. */
const OFFERS_PLUS: Record<ServerKind, boolean> = {
  prosody12: false, // tls-unique only, which TLS 1.3 lacks
  prosody13: true,
  ejabberd: true,
};

describe.each(serverKinds())("tcpProxy against %s", (kind) => {
  let server: XmppServer;
  let proxy: TcpProxy | undefined;
  const clients: Client[] = [];

  beforeAll(async () => {
    server = await startServer({ kind });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()));
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** A proxy that terminates TLS with the server's own certificate, optionally rewriting. */
  async function middle(transform?: (text: string) => string): Promise<TcpProxy> {
    return tcpProxy({
      targetPort: server.c2sPort,
      terminateTls: {
        cert: await readFile(join(server.dir, "server.crt"), "utf8"),
        key: await readFile(join(server.dir, "server.key"), "utf8"),
        ca: server.caCert,
      },
      ...(transform
        ? {
            transform: (chunk, direction) =>
              direction === "toClient" ? transform(chunk.toString()) : chunk,
          }
        : {}),
    });
  }

  function through(port: number): Client {
    const client = clientFor(server, "alice", { port, reconnect: { initialDelay: 10 } });
    clients.push(client);
    return client;
  }

  it("logs in through a proxy adding 25 ms each way", async () => {
    proxy = await tcpProxy({ targetPort: server.c2sPort, latencyMs: 25 });
    const client = through(proxy.port);
    await client.start();
    expect(client.status).toBe("online");
    expect(proxy.accepted).toBe(1);
    expect(proxy.bytes.toClient).toBeGreaterThan(0);
  });

  it("a man in the middle of STARTTLS is caught by channel binding where the server offers it", async () => {
    proxy = await middle();
    const client = through(proxy.port);
    const result = await client.start().catch((e: unknown) => e);
    if (OFFERS_PLUS[kind]) {
      // The client binds to its TLS session with the proxy, the server to its own: they differ.
      expect(result).toBeInstanceOf(AuthError);
      expect((result as AuthError).terminal).toBe(true);
    } else {
      expect(result).not.toBeInstanceOf(Error);
      expect(client.stats.mechanism).not.toMatch(/-PLUS$/u);
    }
  });

  it("stripping the -PLUS mechanisms inside the terminated TLS is refused where the server signs its offer (XEP-0474)", async () => {
    let stripped = 0;
    proxy = await middle((text) =>
      text.replace(/<mechanism>[^<]*-PLUS<\/mechanism>/gu, () => {
        stripped++;
        return "";
      }),
    );
    const client = through(proxy.port);
    if (!OFFERS_PLUS[kind]) {
      // Prosody 0.12 offers no -PLUS over TLS 1.3 and sends no XEP-0474 hash: nothing to strip.
      await client.start();
      expect(client.stats.mechanism).toMatch(/^SCRAM-SHA-(1|256|512)$/u);
      return;
    }
    const error = await client.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).condition).toBe("downgrade-detected");
    expect(stripped > 0).toBe(true);
  });
});
