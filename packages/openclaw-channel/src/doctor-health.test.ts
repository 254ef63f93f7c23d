/**
 * The doctor's findings from a fake client (disco#info answers, login facts,
 * upload discovery, OMEMO readiness) and the health monitor on a fake clock.
 */
import { ClawXmppError, type Element, xml } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { diagnoseServer } from "./doctor.js";
import { type HealthClock, startHealthMonitor } from "./health.js";
import { resolveOmemo } from "./omemo-config.js";

const ACCOUNT = { bare: "bot@example.org" };

function fakeClient(answer: (to: string | undefined) => Promise<Element>) {
  return {
    status: "online" as const,
    account: ACCOUNT as never,
    stats: {
      connects: 1,
      resumes: 0,
      reconnectAttempts: 0,
      lastError: undefined,
      mechanism: "SCRAM-SHA-1",
      login: {
        path: "sasl2" as const,
        mechanism: "SCRAM-SHA-256-PLUS",
        channelBinding: "tls-exporter",
        tlsVersion: "TLSv1.3",
        fast: false,
        tokenIssued: false,
        bind2: true,
        ssdp: "verified" as const,
        upgrades: [],
      },
      queued: 0,
    },
    iq: { get: (_child: Element, to?: string) => answer(to), set: () => Promise.reject() },
  };
}

const accountInfo = (...children: Element[]) =>
  xml(
    "iq",
    { type: "result" },
    xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }, ...children),
  );

describe("doctor", () => {
  it("reports login, TLS, upload, MAM, PEP and OMEMO readiness", async () => {
    const client = fakeClient(async (to) => {
      expect(to).toBe("bot@example.org");
      return accountInfo(
        xml("identity", { category: "account", type: "registered" }),
        xml("identity", { category: "pubsub", type: "pep" }),
        xml("feature", { var: "urn:xmpp:mam:2" }),
      );
    });
    const facts = await diagnoseServer({
      client,
      account: {
        tls: { mode: "starttls", ca: undefined },
        omemo: resolveOmemo({ enabled: false }),
      },
      upload: { service: async () => ({ jid: "upload.example.org", maxFileSize: 1024 }) },
    });
    expect(facts).toEqual({
      server: "reachable",
      tls: "starttls",
      tlsVersion: "TLSv1.3",
      channelBinding: "tls-exporter",
      saslMechanism: "SCRAM-SHA-256-PLUS",
      saslPath: "sasl2",
      uploadService: "upload.example.org",
      uploadMaxBytes: 1024,
      mam: "available",
      pep: "available",
      omemo: "not enabled",
    });
  });

  it("a missing service is missing; a failed query is unknown; OMEMO without its package says so", async () => {
    const bare = await diagnoseServer({
      client: fakeClient(async () => accountInfo()),
      account: {
        tls: { mode: "direct", ca: undefined },
        omemo: resolveOmemo({ enabled: true }),
      },
      upload: {
        service: async () => {
          throw new ClawXmppError("no-service" as never, "no upload service");
        },
      },
      omemoAvailable: async () => false,
    });
    expect(bare).toMatchObject({
      tls: "direct",
      uploadService: "missing",
      mam: "missing",
      pep: "missing",
      omemo: "package missing",
    });
    const failing = await diagnoseServer({
      client: fakeClient(() => Promise.reject(new Error("timeout"))),
      account: {
        tls: { mode: "starttls", ca: undefined },
        omemo: resolveOmemo({ enabled: true }),
      },
      upload: { service: () => Promise.reject(new Error("boom")) },
      omemoAvailable: async () => true,
    });
    expect(failing).toMatchObject({
      uploadService: "unknown",
      mam: "unknown",
      pep: "unknown",
      omemo: "starting",
    });
  });
});

/** A manual clock: `advance` runs the interval as often as it would have fired. */
function manualClock() {
  let now = 0;
  let tick: (() => void) | undefined;
  let every = 0;
  const clock: HealthClock = {
    now: () => now,
    setInterval: (run, ms) => {
      tick = run;
      every = ms;
      return () => {
        tick = undefined;
      };
    },
  };
  return {
    clock,
    advance: async (ms: number) => {
      for (let passed = 0; passed < ms; passed += every) {
        now += every;
        tick?.();
        // Let ping promises settle between ticks.
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    running: () => tick !== undefined,
  };
}

describe("health monitor", () => {
  function watched(answers: () => Promise<unknown>) {
    const time = manualClock();
    const client = {
      status: "online" as "online" | "reconnecting",
      pings: 0,
      drops: 0,
      iq: {
        get: () => {
          client.pings++;
          return answers() as Promise<Element>;
        },
        set: () => Promise.reject(new Error("unused")),
      },
      dropConnection: () => {
        client.drops++;
        client.status = "reconnecting";
      },
    };
    const reasons: string[] = [];
    const monitor = startHealthMonitor({
      client,
      intervalMs: 1_000,
      timeoutMs: 5_000,
      onRestart: (reason) => reasons.push(reason),
      clock: time.clock,
    });
    return { time, client, reasons, monitor };
  }

  it("a server that answers pings is left alone; an error reply counts as an answer", async () => {
    let n = 0;
    const { time, client, reasons } = watched(() =>
      ++n % 2 === 0
        ? Promise.reject(Object.assign(new Error("x"), { condition: "service-unavailable" }))
        : Promise.resolve(xml("iq")),
    );
    await time.advance(20_000);
    expect(client.pings).toBeGreaterThan(10);
    expect(reasons).toEqual([]);
    expect(client.drops).toBe(0);
  });

  it("online but unanswered for the timeout: the connection is dropped once, then watched afresh", async () => {
    const { time, client, reasons, monitor } = watched(() => new Promise(() => {}));
    await time.advance(4_000);
    expect(client.drops).toBe(0);
    await time.advance(2_000);
    expect(client.drops).toBe(1);
    expect(reasons).toEqual(["no answer from the server for 5 s"]);
    // While offline the core reconnects; the monitor waits for the next session.
    await time.advance(10_000);
    expect(client.drops).toBe(1);
    // The next session is pinged (the hung ping of the last one does not block it) and watched.
    const before = client.pings;
    client.status = "online";
    await time.advance(3_000);
    expect(client.pings).toBeGreaterThan(before);
    await time.advance(3_000);
    expect(client.drops).toBe(2);
    expect(monitor.restarts()).toBe(2);
    monitor.stop();
    expect(time.running()).toBe(false);
  });
});
