import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import type { SrvRecord, SrvResolver } from "../dns-options.js";
import { ClawXmppError } from "../errors.js";
import { addressesOf, lookupEndpoints, orderSrv, skipsSrv } from "./srv.js";
import { xmppTransport } from "./xmpp-transport.js";

const srv = (name: string, port: number, priority = 0, weight = 0): SrvRecord => ({
  name,
  port,
  priority,
  weight,
});

/** A resolver answering from tables; a missing name is ENOTFOUND, an Error value is thrown. */
function fakeResolver(
  table: Record<string, SrvRecord[] | Error | "hang">,
  hosts: Record<string, string[]> = {},
): SrvResolver & { asked: string[] } {
  const asked: string[] = [];
  const answer = <T>(value: T | Error | "hang" | undefined): Promise<T> => {
    if (value === "hang") return new Promise(() => {});
    if (value instanceof Error) return Promise.reject(value);
    if (value === undefined)
      return Promise.reject(Object.assign(new Error("not found"), { code: "ENOTFOUND" }));
    return Promise.resolve(value);
  };
  return {
    asked,
    resolveSrv: (name) => {
      asked.push(name);
      return answer(table[name]);
    },
    resolve4: (name) => answer(hosts[name]),
    resolve6: () => answer<string[]>(undefined),
  };
}

/** A random source returning the given values in turn. */
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
};

describe("orderSrv (RFC 2782)", () => {
  it("orders by ascending priority", () => {
    const ordered = orderSrv([srv("c", 1, 30), srv("a", 1, 10), srv("b", 1, 20)], () => 0);
    expect(ordered.map((r) => r.name)).toEqual(["a", "b", "c"]);
  });

  it("picks by weight within a priority", () => {
    const records = [srv("light", 1, 10, 10), srv("heavy", 1, 10, 90)];
    // Running sums: light 10, heavy 100. A draw of 0.05 → 5 picks light; 0.5 → 50 picks heavy.
    expect(orderSrv(records, sequence(0.05, 0)).map((r) => r.name)).toEqual(["light", "heavy"]);
    expect(orderSrv(records, sequence(0.5, 0)).map((r) => r.name)).toEqual(["heavy", "light"]);
  });

  it("follows the weights over many draws", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const records = [srv("a", 1, 5, 10), srv("b", 1, 5, 30)];
    let firstB = 0;
    for (let i = 0; i < 4_000; i++) if (orderSrv(records, random)[0]?.name === "b") firstB++;
    // RFC 2782 draws from 0..sum inclusive: b wins 30 of the 41 values (≈ 0.73).
    expect(firstB / 4_000).toBeGreaterThan(0.68);
    expect(firstB / 4_000).toBeLessThan(0.78);
  });

  it("puts weight-0 records first in the running sum so they are chosen only on a zero draw", () => {
    const records = [srv("heavy", 1, 1, 50), srv("zero", 1, 1, 0)];
    expect(orderSrv(records, () => 0)[0]?.name).toBe("zero");
    expect(orderSrv(records, () => 0.05)[0]?.name).toBe("heavy");
  });

  it("keeps every record exactly once", () => {
    const records = [srv("a", 1, 1, 0), srv("b", 1, 1, 0), srv("c", 1, 2, 7), srv("d", 1, 1, 3)];
    const ordered = orderSrv(records, Math.random);
    expect(ordered.map((r) => r.name).sort()).toEqual(["a", "b", "c", "d"]);
    expect(ordered.at(-1)?.name).toBe("c");
  });
});

describe("lookupEndpoints", () => {
  const settings = (resolver: SrvResolver) => ({ timeout: 50, resolver, random: () => 0 });

  it("merges both record kinds by priority (XEP-0368)", async () => {
    const resolver = fakeResolver({
      "_xmpps-client._tcp.example.org": [srv("tls.example.org.", 5223, 5)],
      "_xmpp-client._tcp.example.org": [
        srv("a.example.org", 5222, 1),
        srv("b.example.org", 5222, 10),
      ],
    });
    const result = await lookupEndpoints("example.org", "starttls", settings(resolver));
    expect(result.endpoints).toEqual([
      { host: "a.example.org", port: 5222, tls: "starttls", source: "_xmpp-client" },
      { host: "tls.example.org", port: 5223, tls: "direct", source: "_xmpps-client" },
      { host: "b.example.org", port: 5222, tls: "starttls", source: "_xmpp-client" },
    ]);
    expect(resolver.asked.sort()).toEqual([
      "_xmpp-client._tcp.example.org",
      "_xmpps-client._tcp.example.org",
    ]);
  });

  it("treats a lone '.' target as no service of that kind", async () => {
    const resolver = fakeResolver({
      "_xmpps-client._tcp.example.org": [srv("", 0)],
      "_xmpp-client._tcp.example.org": [srv("xmpp.example.org", 5222)],
    });
    const result = await lookupEndpoints("example.org", "starttls", settings(resolver));
    expect(result.endpoints.map((e) => e.tls)).toEqual(["starttls"]);
    expect(result.answers["_xmpps-client"]).toBe("no-service");
  });

  it("falls back to the domain on 5222 without records", async () => {
    const result = await lookupEndpoints("example.org", "starttls", settings(fakeResolver({})));
    expect(result.endpoints).toEqual([
      { host: "example.org", port: 5222, tls: "starttls", source: "fallback" },
    ]);
    expect(result.answers).toEqual({ "_xmpps-client": "none", "_xmpp-client": "none" });
  });

  it("falls back when DNS fails or does not answer in time", async () => {
    const failing = fakeResolver({
      "_xmpps-client._tcp.example.org": Object.assign(new Error("refused"), {
        code: "ECONNREFUSED",
      }),
      "_xmpp-client._tcp.example.org": "hang",
    });
    const result = await lookupEndpoints("example.org", "starttls", settings(failing));
    expect(result.endpoints).toEqual([
      { host: "example.org", port: 5222, tls: "starttls", source: "fallback" },
    ]);
    expect(result.answers["_xmpps-client"]).toBe("failed: ECONNREFUSED");
    expect(result.answers["_xmpp-client"]).toBe("failed: timeout");
  });

  it("does not guess when the STARTTLS kind says '.' and nothing else is published", async () => {
    const resolver = fakeResolver({ "_xmpp-client._tcp.example.org": [srv(".", 0)] });
    const error = await lookupEndpoints("example.org", "starttls", settings(resolver)).catch(
      (e: unknown) => e,
    );
    expect(ClawXmppError.isInstance(error) && error.message).toMatch(
      /publishes no XMPP client service/u,
    );
  });

  it("uses only direct-TLS records in direct mode, falling back to 5223", async () => {
    const resolver = fakeResolver({
      "_xmpp-client._tcp.example.org": [srv("xmpp.example.org", 5222)],
    });
    const result = await lookupEndpoints("example.org", "direct", settings(resolver));
    expect(result.endpoints).toEqual([
      { host: "example.org", port: 5223, tls: "direct", source: "fallback" },
    ]);
    expect(resolver.asked).toEqual(["_xmpps-client._tcp.example.org"]);
  });
});

describe("skipsSrv", () => {
  it("skips IP literals and localhost names (RFC 6761), not real domains", () => {
    for (const domain of [
      "127.0.0.1",
      "[::1]",
      "::1",
      "localhost",
      "LOCALHOST.",
      "bot.localhost",
    ]) {
      expect(skipsSrv(domain), domain).toBe(true);
    }
    for (const domain of ["example.org", "localhost.example.org", "xmpp.test"]) {
      expect(skipsSrv(domain), domain).toBe(false);
    }
  });
});

describe("addressesOf", () => {
  it("leaves host names to the OS without a custom resolver", async () => {
    expect(await addressesOf("xmpp.example.org", undefined, 50)).toEqual(["xmpp.example.org"]);
  });

  it("resolves through the custom resolver, leaving what it cannot resolve to the OS", async () => {
    const resolver = fakeResolver({}, { "xmpp.example.org": ["192.0.2.7"] });
    expect(await addressesOf("xmpp.example.org", resolver, 50)).toEqual(["192.0.2.7"]);
    expect(await addressesOf("192.0.2.8", resolver, 50)).toEqual(["192.0.2.8"]);
    expect(await addressesOf("nowhere.example.org", resolver, 50)).toEqual(["nowhere.example.org"]);
  });
});

/** A loopback port with nothing listening (bound, then closed). */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A loopback TCP server running `onSocket` for each connection; returns its port and a closer. */
async function tcpServer(onSocket: (socket: import("node:net").Socket) => void) {
  const server = createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function srvTransport(resolver: SrvResolver, closed: unknown[]) {
  return xmppTransport({
    jid: "bot@example.org",
    password: "pw",
    host: "example.org",
    port: 5222,
    domain: "example.org",
    tls: { mode: "starttls", minVersion: "TLSv1.2" },
    timeouts: { connect: 5_000, tls: 5_000, features: 5_000, auth: 5_000, bind: 5_000 },
    listener: { element: () => {}, closed: (e) => closed.push(e) },
    srv: { timeout: 1_000, resolver },
  });
}

describe("transport with SRV", () => {
  it("connects to IPv6 addresses from AAAA records", async (ctx) => {
    const accepted: string[] = [];
    const server = createServer((socket) => {
      accepted.push(socket.remoteAddress ?? "");
      socket.destroy();
    });
    const listening = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(0, "::", () => resolve(true));
    });
    if (!listening) ctx.skip("no IPv6 on this machine");
    const { port } = server.address() as { port: number };
    try {
      const resolver: SrvResolver = {
        resolveSrv: async (name) =>
          name.startsWith("_xmpp-") ? [srv("v6.example.org", port)] : [],
        resolve4: async () => [],
        resolve6: async () => ["::ffff:127.0.0.1"],
      };
      const error = (await srvTransport(resolver, [])
        .open({ resource: "r", enableStreamManagement: false })
        .catch((e: unknown) => e)) as ClawXmppError;
      // It reached the server (which hung up), rather than failing to resolve "[…]".
      expect(accepted).toEqual(["::ffff:127.0.0.1"]);
      expect(error.message).not.toMatch(/ENOTFOUND/u);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("moves on when a server hangs up or lacks STARTTLS, reporting the close once", async () => {
    const hangUp = await tcpServer((socket) => socket.destroy());
    const noTls = await tcpServer((socket) =>
      socket.once("data", () =>
        socket.write(
          "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0' id='s' from='example.org'><stream:features/>",
        ),
      ),
    );
    try {
      const resolver = fakeResolver(
        {
          "_xmpp-client._tcp.example.org": [
            srv("hangup.example.org", hangUp.port, 1),
            srv("plain.example.org", noTls.port, 2),
          ],
        },
        { "hangup.example.org": ["127.0.0.1"], "plain.example.org": ["127.0.0.1"] },
      );
      const closed: unknown[] = [];
      const error = (await srvTransport(resolver, closed)
        .open({ resource: "r", enableStreamManagement: false })
        .catch((e: unknown) => e)) as ClawXmppError;
      expect(error.message).toContain(`hangup.example.org:${hangUp.port}`);
      expect(error.message).toMatch(
        /plain\.example\.org:\d+ \(127\.0\.0\.1\) starttls \[_xmpp-client\]: example\.org does not offer STARTTLS/u,
      );
      // One endpoint's failure was terminal, the other's not: retrying may still help.
      expect(error.terminal).toBe(false);
      expect(closed).toHaveLength(1);
    } finally {
      await Promise.all([hangUp.close(), noTls.close()]);
    }
  });

  it("tries every candidate in order and lists them all in the error", async () => {
    const [first, second] = [await refusedPort(), await refusedPort()];
    const resolver = fakeResolver(
      {
        "_xmpps-client._tcp.example.org": [srv("tls.example.org", first, 1)],
        "_xmpp-client._tcp.example.org": [srv("xmpp.example.org", second, 2)],
      },
      { "tls.example.org": ["127.0.0.1"], "xmpp.example.org": ["127.0.0.1"] },
    );
    const transport = srvTransport(resolver, []);
    const error = (await transport
      .open({ resource: "r", enableStreamManagement: false })
      .catch((e: unknown) => e)) as ClawXmppError;
    expect(error.code).toBe("connection");
    expect(error.terminal).toBe(false);
    expect(error.message).toContain(`tls.example.org:${first} (127.0.0.1) direct [_xmpps-client]`);
    expect(error.message).toContain(
      `xmpp.example.org:${second} (127.0.0.1) starttls [_xmpp-client]`,
    );
    expect(error.message.indexOf("tls.example.org")).toBeLessThan(
      error.message.indexOf("xmpp.example.org"),
    );
    expect(error.message).toMatch(/ECONNREFUSED/u);
  });
});
