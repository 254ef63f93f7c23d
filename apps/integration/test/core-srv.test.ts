/**
 * DNS SRV (RFC 6120 §3.2.1, XEP-0368) against a real Prosody: the client has no `server`
 * option and finds Prosody's STARTTLS and direct-TLS ports through a DNS server running on
 * loopback, honours priority, moves on when the preferred target refuses, and never moves on
 * after an authentication failure.
 */
import { type ClawXmppError, type Client, type ClientOptions, createClient } from "@clawxmpp/core";
import { type DnsZone, startDnsServer, type TestDnsServer } from "@clawxmpp/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProsodyInstance, startProsody } from "../src/index.js";
import { captureLogger } from "./connection-wiring.js";

let server: ProsodyInstance;
let dns: TestDnsServer;
let refusedPort: number;
const clients: Client[] = [];

beforeAll(async () => {
  [server, dns] = await Promise.all([startProsody(), startDnsServer()]);
  // A port nothing listens on: Prosody's HTTP port is taken by Prosody itself, so borrow a
  // fresh one by binding and closing.
  const { createServer } = await import("node:net");
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  refusedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.stop()));
  await Promise.all([server?.stop(), dns?.stop()]);
});

const STARTTLS = "_xmpp-client._tcp.localhost";
const DIRECT = "_xmpps-client._tcp.localhost";
const HOSTS = {
  "xmpp.test": ["127.0.0.1"],
  "tls.test": ["127.0.0.1"],
  "dead.test": ["127.0.0.1"],
  // The fallback (the JID's domain) is resolved through the configured DNS servers too.
  localhost: ["127.0.0.1"],
};

/** A client for alice with no `server`/`port`, resolving through the test DNS server. */
function srvClient(lines: string[], overrides: Partial<ClientOptions> = {}): Client {
  const logger = captureLogger(lines);
  const dnsOptions = { servers: [dns.address], timeout: 1_000, ...overrides.dns };
  const client = createClient({
    jid: "alice@localhost",
    password: "alice",
    resource: `srv-${Math.random().toString(36).slice(2, 8)}`,
    ...overrides,
    tls: { ca: server.caCert, ...overrides.tls },
    dns: dnsOptions,
    logger,
  });
  clients.push(client);
  return client;
}

function zone(srv: NonNullable<DnsZone["srv"]>): void {
  dns.setZone({ srv, hosts: HOSTS });
}

/** The port of the connection that carried the login (the last TCP connected line). */
function connectedPorts(lines: string[]): number[] {
  return lines
    .filter((l) => l.includes("TCP connected"))
    .map((l) => Number(/"port":(\d+)/u.exec(l)?.[1]));
}

describe("DNS SRV", () => {
  it("connects through an _xmpp-client record (STARTTLS) without a server option", async () => {
    zone({ [STARTTLS]: [{ port: server.c2sPort, target: "xmpp.test" }] });
    const lines: string[] = [];
    const client = srvClient(lines);
    const online = await client.start();
    expect(online.jid).toMatch(/^alice@localhost\//u);
    expect(connectedPorts(lines)).toEqual([server.c2sPort]);
    expect(lines.some((l) => l.includes("TLS established") && l.includes('"via":"STARTTLS"'))).toBe(
      true,
    );
    expect(dns.queries).toEqual(
      expect.arrayContaining([`SRV ${STARTTLS}`, `SRV ${DIRECT}`, "A xmpp.test"]),
    );
    await client.stop();
  });

  it("connects through an _xmpps-client record (direct TLS), checking the JID's domain", async () => {
    zone({ [DIRECT]: [{ port: server.c2sDirectTlsPort, target: "tls.test" }] });
    const lines: string[] = [];
    const client = srvClient(lines);
    await client.start();
    expect(connectedPorts(lines)).toEqual([server.c2sDirectTlsPort]);
    // The certificate names localhost, not tls.test: verified against the JID's domain.
    expect(
      lines.some((l) => l.includes('"via":"direct TLS"') && l.includes('"servername":"localhost"')),
    ).toBe(true);
    await client.stop();
  });

  it("honours priority across both kinds", async () => {
    zone({
      [STARTTLS]: [{ priority: 10, port: server.c2sPort, target: "xmpp.test" }],
      [DIRECT]: [{ priority: 20, port: server.c2sDirectTlsPort, target: "tls.test" }],
    });
    const first: string[] = [];
    const a = srvClient(first);
    await a.start();
    expect(connectedPorts(first)).toEqual([server.c2sPort]);
    await a.stop();

    zone({
      [STARTTLS]: [{ priority: 20, port: server.c2sPort, target: "xmpp.test" }],
      [DIRECT]: [{ priority: 10, port: server.c2sDirectTlsPort, target: "tls.test" }],
    });
    const second: string[] = [];
    const b = srvClient(second);
    await b.start();
    expect(connectedPorts(second)).toEqual([server.c2sDirectTlsPort]);
    await b.stop();
  });

  it("falls back to the next record when the preferred target refuses", async () => {
    zone({
      [DIRECT]: [{ priority: 1, port: refusedPort, target: "dead.test" }],
      [STARTTLS]: [{ priority: 2, port: server.c2sPort, target: "xmpp.test" }],
    });
    const lines: string[] = [];
    const client = srvClient(lines);
    await client.start();
    expect(
      lines.some((l) => l.includes("endpoint failed") && l.includes(`dead.test:${refusedPort}`)),
    ).toBe(true);
    expect(connectedPorts(lines)).toEqual([server.c2sPort]);
    await client.stop();
  });

  it("does not try the next record after an authentication failure", async () => {
    zone({
      [STARTTLS]: [{ priority: 1, port: server.c2sPort, target: "xmpp.test" }],
      [DIRECT]: [{ priority: 2, port: server.c2sDirectTlsPort, target: "tls.test" }],
    });
    const lines: string[] = [];
    const client = srvClient(lines, { password: "wrong" });
    const error = (await client.start().catch((e: unknown) => e)) as ClawXmppError;
    expect(error.code).toBe("auth");
    expect(connectedPorts(lines)).toEqual([server.c2sPort]);
  });

  it("lists every endpoint tried when none connects", async () => {
    zone({
      [DIRECT]: [{ priority: 1, port: refusedPort, target: "dead.test" }],
      [STARTTLS]: [{ priority: 2, port: refusedPort, target: "xmpp.test" }],
    });
    const client = srvClient([]);
    const error = (await client.start().catch((e: unknown) => e)) as ClawXmppError;
    expect(error.code).toBe("connection");
    expect(error.message).toContain(`dead.test:${refusedPort} (127.0.0.1) direct [_xmpps-client]`);
    expect(error.message).toContain(`xmpp.test:${refusedPort} (127.0.0.1) starttls [_xmpp-client]`);
  });

  it("falls back to the domain on 5222 when there are no records, or DNS does not answer", async () => {
    zone({});
    const lines: string[] = [];
    const client = srvClient(lines);
    // Nothing of ours listens on localhost:5222; what matters is that it was the one tried.
    await client.start().catch(() => {});
    expect(lines.some((l) => l.includes("TCP connecting") && l.includes('"port":5222'))).toBe(true);
    expect(lines.find((l) => l.includes("DNS SRV lookup"))).toContain('"_xmpp-client":"none"');

    dns.silent = true;
    try {
      const silent: string[] = [];
      const timedOut = srvClient(silent, { dns: { servers: [dns.address], timeout: 200 } });
      await timedOut.start().catch(() => {});
      expect(silent.find((l) => l.includes("DNS SRV lookup"))).toContain("failed: timeout");
      expect(
        silent.some((l) => l.includes("TCP connecting") && l.includes('"host":"localhost"')),
      ).toBe(true);
    } finally {
      dns.silent = false;
    }
  });
});
