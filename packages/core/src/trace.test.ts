import { describe, expect, it } from "vitest";
import { clientOptionsSchema } from "./options.js";
import { resolveTrace, stderrTrace, TRACE_ENV } from "./trace.js";

describe("resolveTrace", () => {
  it("is off by default", () => {
    expect(resolveTrace(undefined, {})).toBeUndefined();
  });

  it("turns on with CLAWXMPP_XML_TRACE", () => {
    for (const value of ["1", "true", "YES", "on"]) {
      expect(resolveTrace(undefined, { [TRACE_ENV]: value })).toBe(stderrTrace);
    }
    expect(resolveTrace(undefined, { [TRACE_ENV]: "0" })).toBeUndefined();
  });

  it("lets the option win over the environment", () => {
    const sink = () => {};
    expect(resolveTrace(sink, { [TRACE_ENV]: "1" })).toBe(sink);
    expect(resolveTrace(false, { [TRACE_ENV]: "1" })).toBeUndefined();
    expect(resolveTrace(true, {})).toBe(stderrTrace);
  });

  it("reads the environment when called, not at import", () => {
    const before = process.env[TRACE_ENV];
    process.env[TRACE_ENV] = "1";
    try {
      expect(resolveTrace(undefined)).toBe(stderrTrace);
    } finally {
      if (before === undefined) delete process.env[TRACE_ENV];
      else process.env[TRACE_ENV] = before;
    }
  });
});

describe("trace and dns options", () => {
  const base = { jid: "bot@example.org", password: "pw" };

  it("accept a boolean or function trace and DNS servers", () => {
    const parsed = clientOptionsSchema.parse({
      ...base,
      trace: () => {},
      dns: { servers: ["127.0.0.1:5353", "::1", "[::1]:53", "9.9.9.9"] },
    });
    expect(typeof parsed.trace).toBe("function");
    expect(parsed.dns.timeout).toBe(5_000);
    expect(clientOptionsSchema.parse(base).dns).toEqual({ timeout: 5_000 });
  });

  it("reject a bad trace or DNS server", () => {
    expect(clientOptionsSchema.safeParse({ ...base, trace: "yes" }).success).toBe(false);
    for (const server of ["dns.example", "127.0.0.1:99999", "1.2.3:53", "[::1]", ""]) {
      const result = clientOptionsSchema.safeParse({ ...base, dns: { servers: [server] } });
      expect(result.success, server).toBe(false);
    }
    expect(clientOptionsSchema.safeParse({ ...base, dns: { servers: [] } }).success).toBe(false);
    expect(clientOptionsSchema.safeParse({ ...base, dns: { timeout: 0 } }).success).toBe(false);
  });
});
