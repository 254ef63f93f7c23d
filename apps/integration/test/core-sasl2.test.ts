/**
 * How the core logs in on each real server: RFC 6120 SASL on Prosody 0.12,
 * SASL2 (XEP-0388) + Bind2 (XEP-0386) on Prosody 13 and ejabberd, FAST tokens
 * (XEP-0484) on reconnect and after a restart without the password, SM resume
 * inside SASL2, and XEP-0474 refusing a man in the middle who strips -PLUS.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuthError, type Client, type InboundMessage, type OnlineInfo, xml } from "@clawxmpp/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientForOptions,
  clientFor,
  serverKinds,
  startServer,
  type TcpProxy,
  tcpProxy,
  type XmppServer,
} from "../src/index.js";
import { nextEvent } from "./helpers.js";

/**
 * Whether a trace (`"in …"`/`"out …"` lines) shows `<starttls/>` written before the first stream
 * features arrived, i.e. pipelined; false when it followed them. Throws when either is missing,
 * so a trace without STARTTLS cannot pass as "not pipelined".
 */
function starttlsBeforeFeatures(lines: readonly string[]): boolean {
  const starttls = lines.findIndex((l) => l.startsWith("out <starttls"));
  const features = lines.findIndex((l) => l.startsWith("in ") && l.includes("features"));
  if (starttls === -1 || features === -1) throw new Error("no STARTTLS exchange in the trace");
  return starttls < features;
}

describe.each(serverKinds())("login on %s", (kind) => {
  const sasl2 = kind !== "prosody12";
  let server: XmppServer;
  let dir: string;
  let proxy: TcpProxy | undefined;
  const clients: Client[] = [];

  beforeAll(async () => {
    [server, dir] = await Promise.all([
      startServer({ kind }),
      mkdtemp(join(tmpdir(), "clawxmpp-sasl2-")),
    ]);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()));
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function client(overrides: ClientForOptions = {}): Client {
    const c = clientFor(server, "alice", { reconnect: { initialDelay: 10 }, ...overrides });
    clients.push(c);
    return c;
  }

  it("takes the server's best path, then FAST on reconnect (resuming inside SASL2)", async () => {
    const store = join(dir, `${kind}-reconnect.json`);
    const sent: string[] = [];
    const both: string[] = [];
    // Bind2 asked for explicitly: by default only a client with archive catch-up uses it.
    const c = client({
      login: { fast: { store }, bind2: true },
      trace: (direction, text) => {
        if (direction === "out") sent.push(text);
        both.push(`${direction} ${text}`);
      },
    });
    await c.start();
    const first = c.stats.login;
    expect(first?.tlsVersion).toMatch(/^TLSv1\.[23]$/u);
    if (!sasl2) {
      expect(first).toMatchObject({ path: "sasl1", fast: false, bind2: false });
      expect(first?.mechanism).toMatch(/^SCRAM-SHA-/u);
      await expect(stat(store)).rejects.toThrow();
      return;
    }
    expect(first).toMatchObject({ path: "sasl2", bind2: true, fast: false, tokenIssued: true });
    expect(first?.mechanism).toMatch(/^SCRAM-SHA-(256|512)-PLUS$/u);
    expect(first?.channelBinding).toBe("tls-exporter");
    // Carbons went inline with Bind2, so no carbons IQ followed.
    const carbonsInline = sent.some(
      (x) => x.includes("<authenticate") && x.includes("urn:xmpp:carbons:2"),
    );
    expect(carbonsInline).toBe(true);
    expect(sent.filter((x) => x.startsWith("<iq") && x.includes("urn:xmpp:carbons:2"))).toEqual([]);
    // The token is persisted privately, and never appears in the trace.
    expect((await stat(store)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(store, "utf8")) as { token: string; mechanism: string };
    expect(saved.mechanism).toMatch(/^HT-SHA-256-(EXPR|UNIQ|ENDP|NONE)$/u);
    expect(sent.join("\n")).not.toContain(saved.token);

    // The first login waits for the features; the reconnect, with a token stored, pipelines
    // <starttls/> behind the stream header (one round trip less).
    expect(starttlsBeforeFeatures(both)).toBe(false);
    const reconnectFrom = both.length;
    const online = nextEvent<OnlineInfo>(c, "online");
    c.dropConnection();
    expect((await online).resumed).toBe(true);
    expect(starttlsBeforeFeatures(both.slice(reconnectFrom))).toBe(true);
    expect(c.stats.login).toMatchObject({ path: "sasl2", fast: true });
    expect(c.stats.login?.mechanism).toBe(saved.mechanism);
    expect(c.stats.resumes).toBe(1);
  });

  // SASL2-only: registered for the servers that offer it (Prosody 0.12 has no SASL2).
  (sasl2 ? it : () => {})(
    "logs in with the stored token after a restart, without the password",
    async () => {
      const store = join(dir, `${kind}-restart.json`);
      const before = client({ login: { fast: { store } } });
      await before.start();
      expect(before.stats.login?.tokenIssued).toBe(true);
      await before.stop();

      // A new client object (as after a process restart) with a wrong password: only the token works.
      const after = client({
        password: "not-the-password",
        login: { fast: { store }, bind2: true },
      });
      const online = await after.start();
      expect(online.jid).toMatch(/^alice@localhost\//u);
      expect(after.stats.login).toMatchObject({ path: "sasl2", fast: true, bind2: true });
      expect(after.stats.login?.mechanism).toMatch(/^HT-SHA-256-/u);
    },
  );

  // SASL2-only: registered for the servers that offer it (Prosody 0.12 has no SASL2).
  (sasl2 ? it : () => {})(
    "falls back to the password when the token is refused, and replaces it",
    async () => {
      const store = join(dir, `${kind}-revoked.json`);
      const first = client({ login: { fast: { store } } });
      await first.start();
      await first.stop();
      const saved = JSON.parse(await readFile(store, "utf8")) as { token: string };
      // A token the server does not know (revoked, or from another server).
      await writeFile(store, JSON.stringify({ ...saved, token: `${saved.token}-revoked` }));
      const second = client({ login: { fast: { store } } });
      await second.start();
      expect(second.stats.login).toMatchObject({ path: "sasl2", fast: false, tokenIssued: true });
      const replaced = JSON.parse(await readFile(store, "utf8")) as { token: string };
      expect(replaced.token).not.toContain("-revoked");
    },
  );

  // SASL2-only: registered for the servers that offer it (Prosody 0.12 has no SASL2).
  (sasl2 ? it : () => {})(
    "a corrupted token file means a password login, not a crash",
    async () => {
      const store = join(dir, `${kind}-corrupt.json`);
      await writeFile(store, "{ this is not json", { mode: 0o600 });
      const c = client({ login: { fast: { store } } });
      await c.start();
      expect(c.stats.login).toMatchObject({ path: "sasl2", fast: false, tokenIssued: true });
      expect(JSON.parse(await readFile(store, "utf8"))).toHaveProperty("token");
    },
  );

  it("carbons enabled inline by Bind2 really deliver copies", async () => {
    const bot = client({ login: { bind2: true } });
    const phone = client({ login: { bind2: true } });
    const bob = clientFor(server, "bob");
    clients.push(bob);
    await Promise.all([bot.start(), phone.start(), bob.start()]);
    // Without SASL2 (Prosody 0.12) carbons are enabled by an IQ after going online: a ping
    // answered after it means the server has handled it (one session's stanzas in order).
    await bot.iq.get(xml("ping", { xmlns: "urn:xmpp:ping" }), server.domain);
    const carbon = nextEvent<InboundMessage>(bot, "message", (m) => m.body === "to the phone");
    await bob.send({ to: phone.jid?.full ?? "", body: "to the phone" });
    expect(await carbon).toMatchObject({ via: "carbon", outgoing: false });
  });

  (sasl2 ? it : () => {})(
    "falls back to the usual order when a server refuses the pipelined STARTTLS",
    async () => {
      const store = join(dir, `${kind}-pipeline.json`);
      const warm = client({ login: { fast: { store } } });
      await warm.start();
      await warm.stop();
      let refused = 0;
      proxy = await tcpProxy({
        targetPort: server.c2sPort,
        transform: (chunk, direction) => {
          const text = chunk.toString();
          if (direction !== "toClient" || refused > 0 || !text.includes("<proceed")) return chunk;
          refused++;
          return text.replace("<proceed", "<failure");
        },
      });
      const trace: string[] = [];
      const c = client({
        port: proxy.port,
        login: { fast: { store } },
        trace: (direction, text) => trace.push(`${direction} ${text}`),
      });
      await c.start();
      expect(refused).toBe(1);
      expect(proxy.accepted).toBe(2);
      expect(c.stats.login).toMatchObject({ path: "sasl2", fast: true });
      // This client does not try again with this server: its reconnect waits for the features.
      const from = trace.length;
      const online = nextEvent<OnlineInfo>(c, "online");
      c.dropConnection();
      await online;
      expect(starttlsBeforeFeatures(trace.slice(from))).toBe(false);

      // Turned off: the features first, even with a token.
      const sent: string[] = [];
      const off = client({
        login: { fast: { store, pipelineStarttls: false } },
        trace: (direction, text) => sent.push(`${direction} ${text}`),
      });
      await off.start();
      expect(off.stats.login).toMatchObject({ fast: true });
      expect(starttlsBeforeFeatures(sent)).toBe(false);
    },
  );

  it("uses SASL1 when SASL2 is turned off", async () => {
    const c = client({ login: { sasl2: false } });
    await c.start();
    expect(c.stats.login).toMatchObject({ path: "sasl1", fast: false, bind2: false });
    // XEP-0474 protects RFC 6120 SASL too, where the server sends the hash.
    expect(c.stats.login?.ssdp).toBe(sasl2 ? "verified" : "absent");
  });

  it("refuses a man in the middle who strips -PLUS where the server sends XEP-0474", async () => {
    const direct = client();
    await direct.start();
    const ssdp = direct.stats.login?.ssdp;
    let stripped = 0;
    proxy = await tcpProxy({
      targetPort: server.c2sPort,
      terminateTls: {
        cert: await readFile(join(server.dir, "server.crt"), "utf8"),
        key: await readFile(join(server.dir, "server.key"), "utf8"),
        ca: server.caCert,
      },
      transform: (chunk, direction) =>
        direction === "toClient"
          ? chunk.toString().replace(/<mechanism>[^<]*-PLUS<\/mechanism>/gu, () => {
              stripped++;
              return "";
            })
          : chunk,
    });
    const c = client({ port: proxy.port });
    const result = await c.start().catch((e: unknown) => e);
    if (ssdp === "verified") {
      expect(stripped).toBeGreaterThan(0);
      expect(result).toBeInstanceOf(AuthError);
      expect((result as AuthError).condition).toBe("downgrade-detected");
      expect((result as AuthError).terminal).toBe(true);
    } else {
      // No XEP-0474 from this server: the downgrade goes unnoticed (recorded, not hidden).
      expect(result).not.toBeInstanceOf(Error);
      expect(c.stats.login?.mechanism).not.toMatch(/-PLUS$/u);
    }
    // Which servers send the hash is part of the matrix: Prosody 13 (mod_sasl_ssdp) and ejabberd do.
    expect(ssdp).toBe(sasl2 ? "verified" : "absent");
  });
});

describe.skipIf(!serverKinds().includes("prosody13"))("FAST token rotation (Prosody 13)", () => {
  let server: XmppServer;
  let dir: string;
  beforeAll(async () => {
    [server, dir] = await Promise.all([
      // Rotate on every use instead of daily.
      startServer({ kind: "prosody13", extraGlobal: "sasl2_fast_token_min_ttl = 0" }),
      mkdtemp(join(tmpdir(), "clawxmpp-rotate-")),
    ]);
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("keeps the rotated token the server hands out and logs in with it", async () => {
    const store = join(dir, "fast.json");
    const token = async () =>
      (JSON.parse(await readFile(store, "utf8")) as { token: string }).token;
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = clientFor(server, "alice", { login: { fast: { store } } });
      await c.start();
      expect(c.stats.login).toMatchObject({ fast: i > 0, tokenIssued: true });
      await c.stop();
      tokens.push(await token());
    }
    expect(new Set(tokens).size).toBe(3);
  });
});

describe.skipIf(!serverKinds().includes("prosody13"))(
  "SM resume refused inside SASL2 (Prosody 13)",
  () => {
    let server: XmppServer;
    beforeAll(async () => {
      server = await startServer({ kind: "prosody13", smacksHibernationSeconds: 1 });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("binds a new session in the same authentication round when the old one is gone", async () => {
      // Reconnects only after the server has dropped the hibernating session.
      const received: string[] = [];
      const c = clientFor(server, "alice", {
        login: { bind2: true },
        reconnect: { initialDelay: 2_500, fastMaxDelay: 2_500, jitter: 0 },
        trace: (direction, text) => {
          if (direction === "in" && text.startsWith("<success")) received.push(text);
        },
      });
      try {
        await c.start();
        const firstJid = c.jid?.full;
        const online = nextEvent<OnlineInfo>(c, "online", () => true, 15_000);
        c.dropConnection();
        expect((await online).resumed).toBe(false);
        expect(c.stats).toMatchObject({ connects: 2, resumes: 0 });
        expect(c.stats.login).toMatchObject({ path: "sasl2", bind2: true, fast: true });
        expect(firstJid).toBeDefined();
        // The resume was tried and refused inside <success/>, which also carries the new binding.
        expect(received).toHaveLength(2);
        expect(received[1]).toMatch(/<failed [^>]*xmlns="urn:xmpp:sm:3"/u);
        expect(received[1]).toContain("urn:xmpp:bind:0");
      } finally {
        await c.stop();
      }
    });
  },
);
