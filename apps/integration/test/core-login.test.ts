/**
 * Login security against real servers: direct TLS (XEP-0368), a server that
 * offers no TLS at all, and what is sent over a plaintext loopback stream.
 */
import type { ClawXmppError } from "@clawxmpp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, type ProsodyInstance, startProsody } from "../src/index.js";

let tlsServer: ProsodyInstance;
let plainServer: ProsodyInstance;

beforeAll(async () => {
  [tlsServer, plainServer] = await Promise.all([startProsody(), startProsody({ tls: "off" })]);
});

afterAll(async () => {
  await Promise.all([tlsServer?.stop(), plainServer?.stop()]);
});

describe("login security", () => {
  it("logs in with direct TLS (XEP-0368)", async () => {
    const client = clientFor(tlsServer, "alice", {
      port: tlsServer.c2sDirectTlsPort,
      tls: { mode: "direct" },
    });
    const online = await client.start();
    expect(online.jid).toMatch(/^alice@localhost\//u);
    expect(client.stats.mechanism).toMatch(/^SCRAM-SHA-(256|512)$/u);
    await client.stop();
  });

  it("binds SCRAM to the TLS channel (SCRAM-…-PLUS, tls-unique) where the server offers it", async () => {
    // Prosody 0.12 offers -PLUS only with TLS 1.2 (tls-unique); with TLS 1.3 it offers plain SCRAM.
    const tls12 = clientFor(tlsServer, "alice", { tls: { maxVersion: "TLSv1.2" } });
    await tls12.start();
    expect(tls12.stats.mechanism).toBe("SCRAM-SHA-256-PLUS");
    await tls12.stop();
    const tls13 = clientFor(tlsServer, "alice");
    await tls13.start();
    expect(tls13.stats.mechanism).toBe("SCRAM-SHA-256");
    await tls13.stop();
  });

  it("refuses to log in when the server offers no STARTTLS", async () => {
    const client = clientFor(plainServer, "alice");
    const error = (await client.start().catch((e: unknown) => e)) as ClawXmppError;
    expect(error.code).toBe("tls");
    expect(error.terminal).toBe(true);
    expect(error.message).toMatch(/does not offer STARTTLS/u);
    await client.stop();
  });

  it("over an explicitly allowed plaintext loopback stream, never sends PLAIN", async () => {
    const client = clientFor(plainServer, "alice", {
      tls: { mode: "none", allowPlaintextOnLoopback: true },
    });
    await client.start();
    expect(client.stats.mechanism).toMatch(/^SCRAM-/u);
    await client.stop();
  });
});
