import { Resolver } from "node:dns/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDnsServer, type TestDnsServer } from "./dns-server.js";

let dns: TestDnsServer;
let resolver: Resolver;

beforeAll(async () => {
  dns = await startDnsServer({
    srv: {
      "_xmpp-client._tcp.example.test": [
        { priority: 5, weight: 10, port: 5222, target: "xmpp.example.test" },
        { priority: 1, weight: 0, port: 15222, target: "backup.example.test." },
      ],
      "_xmpps-client._tcp.example.test": [{ port: 0, target: "." }],
    },
    hosts: { "xmpp.example.test": ["127.0.0.1", "::1"], "v6.example.test": ["2001:db8::7"] },
  });
  resolver = new Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([dns.address]);
});

afterAll(() => dns.stop());

describe("test DNS server", () => {
  it("answers SRV queries Node's resolver understands", async () => {
    const records = await resolver.resolveSrv("_xmpp-client._tcp.example.test");
    expect(records).toEqual(
      expect.arrayContaining([
        { name: "xmpp.example.test", port: 5222, priority: 5, weight: 10 },
        { name: "backup.example.test", port: 15222, priority: 1, weight: 0 },
      ]),
    );
    expect(await resolver.resolveSrv("_xmpps-client._tcp.example.test")).toEqual([
      { name: "", port: 0, priority: 0, weight: 0 },
    ]);
  });

  it("answers A and AAAA, and NXDOMAIN for unknown names", async () => {
    expect(await resolver.resolve4("xmpp.example.test")).toEqual(["127.0.0.1"]);
    expect(await resolver.resolve6("xmpp.example.test")).toEqual(["::1"]);
    expect(await resolver.resolve6("v6.example.test")).toEqual(["2001:db8::7"]);
    await expect(resolver.resolve4("nothing.example.test")).rejects.toMatchObject({
      code: "ENOTFOUND",
    });
    await expect(resolver.resolve4("v6.example.test")).rejects.toMatchObject({ code: "ENODATA" });
    expect(dns.queries).toContain("A nothing.example.test");
  });

  it("can stay silent and change its zone", async () => {
    dns.silent = true;
    await expect(resolver.resolve4("xmpp.example.test")).rejects.toMatchObject({
      code: "ETIMEOUT",
    });
    dns.silent = false;
    dns.setZone({ hosts: { "new.example.test": ["192.0.2.1"] } });
    expect(await resolver.resolve4("new.example.test")).toEqual(["192.0.2.1"]);
  });
});
