import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuthError, type Client, type ClientOptions, createClient } from "@clawxmpp/core";
import { fakeServer, until } from "@clawxmpp/test";
import { describe, expect, it } from "vitest";
import { parseXmppChannelConfig, resolveXmppAccount } from "./accounts.js";
import { startXmppAccount } from "./gateway.js";
import xmppEntry, { xmppChannelPlugin } from "./index.js";
import { liveClient } from "./live-clients.js";
import setupEntry from "./setup-entry.js";
import { gatewayContext, onFake } from "./test-harness.fixture.js";

/** {@link onFake}, also keeping the options the client was created with. */
function recording(server: ReturnType<typeof fakeServer>) {
  let seen: ClientOptions | undefined;
  return {
    factory: (options: ClientOptions): Client => {
      seen = options;
      return onFake(server)(options);
    },
    seen: () => seen,
  };
}

const CONFIG = { jid: "bot@example.org", password: "pw" };
/** Gateway starts and reconnects take real (fake-server) time. */
const LONG = { timeout: 10_000 };

describe("gateway.startAccount", () => {
  it("connects, reports ready, stays pending until abort, then stops", async () => {
    const server = fakeServer();
    const { ctx, controller, status } = gatewayContext(CONFIG);
    let client: Client | undefined;
    let settled = false;
    const running = startXmppAccount(ctx, {
      createClient: (options: ClientOptions) => {
        client = onFake(server)(options);
        return client;
      },
    }).then(() => {
      settled = true;
    });
    await until(() => status().lifecycle === "ready", LONG);
    expect(status()).toMatchObject({ accountId: "default", running: true, connected: true });
    expect(liveClient("default")).toBe(client);
    expect(server.opens).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);

    const started = Date.now();
    controller.abort();
    await running;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(client?.status).toBe("stopped");
    expect(liveClient("default")).toBeUndefined();
    expect(status()).toMatchObject({ running: false, connected: false, lifecycle: "stopped" });
  }, 20_000);

  it("passes jid, resource, server and port from the account to the client", async () => {
    const server = fakeServer();
    const { ctx, controller, status } = gatewayContext({
      ...CONFIG,
      server: "xmpp.example.org",
      port: 5333,
      resource: "bot-1",
    });
    const recorded = recording(server);
    const running = startXmppAccount(ctx, { createClient: recorded.factory });
    await until(() => status().lifecycle === "ready", LONG);
    expect(recorded.seen()).toMatchObject({
      jid: "bot@example.org",
      password: "pw",
      server: "xmpp.example.org",
      port: 5333,
      resource: "bot-1",
    });
    controller.abort();
    await running;
  });

  it("passes tls.mode and the CA read from tls.ca (a file) to the client", async () => {
    const server = fakeServer();
    const dir = mkdtempSync(join(tmpdir(), "clawxmpp-ca-"));
    const pem = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
    writeFileSync(join(dir, "ca.pem"), pem);
    const { ctx, controller, status } = gatewayContext({
      ...CONFIG,
      tls: { ca: join(dir, "ca.pem"), mode: "direct" },
    });
    const recorded = recording(server);
    const running = startXmppAccount(ctx, { createClient: recorded.factory });
    await until(() => status().lifecycle === "ready", LONG);
    expect(recorded.seen()).toMatchObject({ port: 5223, tls: { mode: "direct", ca: pem } });
    controller.abort();
    await running;
    rmSync(dir, { recursive: true, force: true });
  });

  it("an unreadable tls.ca blocks the account naming the file", async () => {
    const { ctx, controller, status } = gatewayContext({
      ...CONFIG,
      tls: { ca: "/nonexistent/clawxmpp-ca.pem" },
    });
    const running = startXmppAccount(ctx);
    await until(() => status().lifecycle === "blocked");
    expect(status().lastError).toBe(
      "channels.xmpp.tls.ca: cannot read /nonexistent/clawxmpp-ca.pem (ENOENT)",
    );
    controller.abort();
    await running;
  });

  it("a wrong password is terminal: blocked, one attempt, still pending until abort", async () => {
    const server = fakeServer();
    server.failNextOpen(new AuthError("not-authorized"));
    const { ctx, controller, status, logs } = gatewayContext(CONFIG);
    let settled = false;
    const running = startXmppAccount(ctx, {
      createClient: onFake(server, { reconnect: { initialDelay: 1 } }),
    }).then(() => {
      settled = true;
    });
    await until(() => status().lifecycle === "blocked", LONG);
    expect(status()).toMatchObject({ terminalDisconnect: true, running: false, connected: false });
    expect(status().lastError).toMatch(/not-authorized/u);
    expect(logs.some((line) => line.startsWith("error ") && line.includes("not retrying"))).toBe(
      true,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.opens).toHaveLength(1);
    expect(settled).toBe(false);
    controller.abort();
    await running;
    expect(status().lifecycle).toBe("stopped");
  });

  it("retries transient connect failures and reports recovering status on drops", async () => {
    const server = fakeServer();
    server.failNextOpen(new Error("ECONNREFUSED"));
    const { ctx, controller, status, statuses } = gatewayContext(CONFIG);
    const running = startXmppAccount(ctx, {
      createClient: onFake(server, { reconnect: { initialDelay: 1, jitter: 0 } }),
    });
    await until(() => status().lifecycle === "ready", LONG);
    expect(server.opens.length).toBe(2);
    server.drop();
    await until(() => statuses.some((s) => s.lifecycle === "recovering"), LONG);
    await until(() => status().lifecycle === "ready", LONG);
    controller.abort();
    await running;
  });

  it("an account without a password is blocked without connecting", async () => {
    const { ctx, controller, status } = gatewayContext({ jid: "bot@example.org" });
    let created = false;
    const running = startXmppAccount(ctx, {
      createClient: (options) => {
        created = true;
        return createClient(options);
      },
    });
    await until(() => status().lifecycle === "blocked", LONG);
    expect(status().lastError).toMatch(/password is not set/u);
    expect(created).toBe(false);
    controller.abort();
    await running;
  });

  it("an unresolved secret reference is blocked with a clear message", async () => {
    const { ctx, controller, status } = gatewayContext({
      jid: "bot@example.org",
      password: { source: "env", provider: "default", id: "XMPP_PASSWORD" },
    });
    const running = startXmppAccount(ctx);
    await until(() => status().lifecycle === "blocked", LONG);
    expect(status().lastError).toMatch(/secret reference/u);
    controller.abort();
    await running;
  });

  it("returns at once when already aborted", async () => {
    const { ctx, controller, statuses } = gatewayContext(CONFIG);
    controller.abort();
    await startXmppAccount(ctx);
    expect(statuses).toEqual([]);
  });
});

describe("plugin entry", () => {
  it("registers the channel in full and discovery modes, not in cli-metadata mode", () => {
    for (const [mode, expected] of [
      ["full", 1],
      ["discovery", 1],
      ["setup-only", 1],
      ["cli-metadata", 0],
      ["tool-discovery", 0],
    ] as const) {
      const registered: unknown[] = [];
      xmppEntry.register({
        registrationMode: mode,
        registerChannel: ({ plugin }) => registered.push(plugin),
      });
      expect(registered, mode).toHaveLength(expected);
      if (expected) expect(registered[0]).toBe(xmppChannelPlugin);
    }
    expect(xmppEntry.id).toBe("xmpp");
    expect(setupEntry.plugin).toBe(xmppChannelPlugin);
  });

  it("the config adapter lists and resolves accounts from a whole OpenClaw config", () => {
    const cfg = {
      channels: {
        xmpp: { ...CONFIG, accounts: { work: { jid: "w@example.org", password: "x" } } },
      },
    };
    const { config } = xmppChannelPlugin;
    expect(config.listAccountIds(cfg)).toEqual(["default", "work"]);
    expect(config.defaultAccountId(cfg)).toBe("default");
    expect(config.resolveAccount(cfg, "work").jid).toBe("w@example.org");
    expect(config.inspectAccount(cfg, null)).toEqual({
      accountId: "default",
      enabled: true,
      configured: true,
      dmPolicy: "pairing",
    });
    expect(config.listAccountIds({})).toEqual(["default"]);
    expect(config.inspectAccount({}, undefined)).toMatchObject({ configured: false });
  });

  it("the status snapshot combines config facts with the runtime's state", () => {
    const account = resolveXmppAccount(parseXmppChannelConfig(CONFIG), "default");
    const snapshot = xmppChannelPlugin.status.buildAccountSnapshot({
      account,
      runtime: { accountId: "default", lifecycle: "blocked", lastError: "authentication failed" },
    });
    expect(snapshot).toMatchObject({
      accountId: "default",
      configured: true,
      enabled: true,
      lifecycle: "blocked",
      lastError: "authentication failed",
    });
    expect(xmppChannelPlugin.status.buildAccountSnapshot({ account }).lastError).toBeNull();
  });

  it("the runtime config schema parses like the manifest schema and names bad fields", () => {
    const runtime = xmppChannelPlugin.configSchema.runtime!;
    expect(runtime.safeParse(CONFIG)).toEqual({ success: true, data: CONFIG });
    const bad = runtime.safeParse({ port: "x" });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.issues[0]?.path).toEqual(["port"]);
  });
});
