/**
 * Observability against a real Prosody: `consoleLogger("debug")` prints a line for every
 * connection step, and the XML trace (option or CLAWXMPP_XML_TRACE) shows every element with
 * the stream header's `from` only after TLS (RFC 6120 §4.7.1), and never the password or a
 * SASL payload.
 */
import {
  type Client,
  type ClientOptions,
  consoleLogger,
  createClient,
  type OnlineInfo,
  REDACTED,
  TRACE_ENV,
  type TraceDirection,
} from "@clawxmpp/core";
import { startDnsServer, type TestDnsServer } from "@clawxmpp/test";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type ProsodyInstance, startProsody } from "../src/index.js";
import { nextEvent } from "./helpers.js";

const PASSWORD = "Tr0ub4dor&3-horse-battery";
let server: ProsodyInstance;
let dns: TestDnsServer;

beforeAll(async () => {
  [server, dns] = await Promise.all([
    startProsody({ accounts: { alice: PASSWORD, bob: "bob" } }),
    startDnsServer(),
  ]);
  dns.setZone({
    srv: { "_xmpp-client._tcp.localhost": [{ port: server.c2sPort, target: "xmpp.test" }] },
    hosts: { "xmpp.test": ["127.0.0.1"] },
  });
});

afterAll(async () => {
  await Promise.all([server?.stop(), dns?.stop()]);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs `fn` with stderr captured; returns the clawxmpp lines written meanwhile. */
async function captureStderr(fn: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, "write").mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
    const text = String(chunk);
    if (text.includes("[clawxmpp")) lines.push(...text.split("\n").filter(Boolean));
    else return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    return true;
  }) as typeof process.stderr.write);
  await fn();
  vi.restoreAllMocks();
  return lines;
}

function alice(options: Partial<ClientOptions> & { srv?: boolean } = {}): Client {
  const { srv, ...rest } = options;
  const direct = rest.tls?.mode === "direct";
  const where = srv
    ? { dns: { servers: [dns.address] } }
    : { server: server.host, port: direct ? server.c2sDirectTlsPort : server.c2sPort };
  return createClient({
    jid: "alice@localhost",
    password: PASSWORD,
    ...where,
    ...rest,
    tls: { ca: server.caCert, ...rest.tls },
  });
}

/** Every SASL payload element's text in `trace` (RFC 6120 and SASL2). */
function saslTexts(trace: string): string[] {
  const texts: string[] = [];
  const pattern =
    /<(auth|challenge|response|success|initial-response|additional-data)\b[^>]*>([^<]*)</gu;
  for (const match of trace.matchAll(pattern)) texts.push(match[2] ?? "");
  return texts;
}

describe("debug log", () => {
  it("prints a line for every connection step of a connect and stop", async () => {
    const lines = await captureStderr(async () => {
      const client = alice({ srv: true, logger: consoleLogger("debug") });
      await client.start();
      // A dropped socket is resumed (XEP-0198): the resume attempt and its result are logged.
      const resumed = nextEvent<OnlineInfo>(client, "online");
      client.dropConnection();
      expect((await resumed).resumed).toBe(true);
      await client.stop();
    });
    const text = lines.join("\n");
    const steps = [
      "DNS SRV lookup",
      "TCP connecting",
      "TCP connected",
      "stream features",
      "TLS established",
      "SASL authenticating",
      "SASL succeeded",
      "resource bound",
      "stream management: enabling",
      "stream management: enabled",
      "connection closed",
      "stream management: resuming",
      "stream management: resumed",
      "closing stream",
      "connection closed",
    ];
    // In this order (each step searched for after the previous one).
    let from = 0;
    for (const step of steps) {
      const at = text.indexOf(step, from);
      expect(at, step).toBeGreaterThanOrEqual(0);
      from = at;
    }
    expect(text).toMatch(/"protocol":"TLSv1\.[23]","cipher":"[A-Z0-9_-]+"/u);
    expect(text).toMatch(/"mechanisms":\[[^\]]*"SCRAM-SHA-/u);
    expect(text).toMatch(/"channelBinding":"(none|tls-unique|tls-exporter|tls-server-end-point)"/u);
    expect(text).toContain('"address":"127.0.0.1"');
    expect(text).not.toContain(PASSWORD);
  });
});

describe("XML trace", () => {
  it("shows every element, `from` only after TLS, and no password or SASL payload", async () => {
    const trace: [TraceDirection, string][] = [];
    const client = alice({ trace: (direction, xml) => trace.push([direction, xml]) });
    await client.start();
    await client.stop();
    const all = trace.map(([d, x]) => `${d} ${x}`).join("\n");

    const headers = trace.filter(([d, x]) => d === "out" && x.startsWith("<?xml"));
    expect(headers.length).toBe(3); // plain, after STARTTLS, after SASL
    expect(headers[0]?.[1]).not.toContain("from=");
    expect(headers[1]?.[1]).toContain('from="alice@localhost"');
    expect(headers[2]?.[1]).toContain('from="alice@localhost"');
    expect(trace.findIndex(([, x]) => x.startsWith("<proceed"))).toBeLessThan(
      trace.indexOf(headers[1] as [TraceDirection, string]),
    );

    expect(all).toMatch(/^in <stream:stream [^\n]*[^/]>$/mu);
    expect(all).toContain("in <stream:features");
    expect(all).toMatch(/^out <starttls /mu);
    expect(all).toMatch(/^out <auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="SCRAM-/mu);
    expect(all).toMatch(/^out <iq [^\n]*<bind /mu);
    expect(all).toMatch(/^out <enable xmlns="urn:xmpp:sm:3"/mu);
    expect(all).toMatch(/^in <enabled /mu);
    expect(all).toMatch(/^out <presence/mu);
    expect(all).toMatch(/^out <\/stream:stream>$/mu);

    const payloads = saslTexts(all);
    expect(payloads.length).toBeGreaterThanOrEqual(3); // auth, challenge, response, success
    expect(new Set(payloads)).toEqual(new Set([REDACTED]));
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(Buffer.from(PASSWORD).toString("base64"));
  });

  it("puts `from` in the very first header with direct TLS", async () => {
    const trace: string[] = [];
    const client = alice({ tls: { mode: "direct" }, trace: (_d, xml) => trace.push(xml) });
    await client.start();
    await client.stop();
    const headers = trace.filter((x) => x.startsWith("<?xml"));
    expect(headers.length).toBe(2);
    for (const header of headers) expect(header).toContain('from="alice@localhost"');
  });

  it(`prints to stderr when ${TRACE_ENV}=1 is set before the client is created`, async () => {
    const before = process.env[TRACE_ENV];
    let lines: string[] = [];
    try {
      process.env[TRACE_ENV] = "1";
      const client = alice();
      delete process.env[TRACE_ENV];
      lines = await captureStderr(async () => {
        await client.start();
        await client.stop();
      });
    } finally {
      if (before === undefined) delete process.env[TRACE_ENV];
      else process.env[TRACE_ENV] = before;
    }
    const text = lines.join("\n");
    expect(text).toMatch(/xml {3}\[clawxmpp\] >> <\?xml version='1\.0'\?><stream:stream /u);
    expect(text).toMatch(/xml {3}\[clawxmpp\] << <stream:features/u);
    expect(new Set(saslTexts(text))).toEqual(new Set([REDACTED]));
    expect(text).not.toContain(PASSWORD);
  });

  it("stays silent without the option or the variable", async () => {
    const before = process.env[TRACE_ENV];
    delete process.env[TRACE_ENV];
    try {
      const lines = await captureStderr(async () => {
        const client = alice();
        await client.start();
        await client.stop();
      });
      expect(lines).toEqual([]);
    } finally {
      if (before !== undefined) process.env[TRACE_ENV] = before;
    }
  });
});
