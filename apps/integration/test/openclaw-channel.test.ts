/**
 * The XMPP channel inside a real OpenClaw 2026.9.6 gateway (Node 24), installed
 * from its packed tarball, against a real Prosody: the account's connection
 * lifecycle (online, offline within 5 s of SIGTERM, back after a restart, a
 * wrong password reported as blocked without a restart storm) and
 * agent-initiated sends delivered by the gateway.
 *
 * Whether the bot is online is observed the XMPP way: alice pings the bot's
 * full JID (XEP-0199); the server answers with an error once the session is gone.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, definePlugin, type InboundMessage, type IqCaller, xml } from "@clawxmpp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenclawHome, deepMerge, type Gateway, startGateway } from "../e2e/gateway.js";
import { MOCK_MODEL_REF, type MockModel, startMockModel } from "../e2e/mock-model.js";
import { packChannelPlugin } from "../e2e/plugin-pack.js";
import { ensureToolchain } from "../e2e/toolchain.js";
import { clientFor, type ProsodyInstance, startProsody } from "../src/index.js";
import { nextEvent } from "./helpers.js";

const BOT_RESOURCE = "openclaw";
const timings: Record<string, number> = {};
let server: ProsodyInstance;
let mock: MockModel;
let dir: string;
let gateway: Gateway | undefined;
let alice: Client;
let iq: IqCaller;

/** Exposes the IQ caller of a client (the public Client API has no IQ requests). */
const iqAccess = definePlugin("test-iq", (ctx) => {
  iq = ctx.iq;
  return { stop() {} };
});

/** True when the bot's session answers a ping. */
async function botOnline(): Promise<boolean> {
  try {
    await iq.get(xml("ping", { xmlns: "urn:xmpp:ping" }), `bot@${server.domain}/${BOT_RESOURCE}`, {
      timeout: 2_000,
    });
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(check: () => Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - started;
}

interface AccountStatus {
  accountId?: string;
  lifecycle?: string;
  connected?: boolean;
  running?: boolean;
  terminalDisconnect?: boolean;
  lastError?: unknown;
}

/** The xmpp default account's row of `openclaw channels status --json`. */
async function accountStatus(): Promise<AccountStatus | undefined> {
  const result = await gateway!.cli(["channels", "status", "--json"]);
  expect(result.code, result.stdout + result.stderr).toBe(0);
  const json = JSON.parse(result.stdout) as unknown;
  return findAccount(json);
}

function findAccount(value: unknown, inXmpp = false): AccountStatus | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findAccount(item, inXmpp);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (inXmpp && record.accountId === "default" && "lifecycle" in record) return record;
  for (const [key, child] of Object.entries(record)) {
    const found = findAccount(child, inXmpp || key === "xmpp" || record.channel === "xmpp");
    if (found) return found;
  }
  return undefined;
}

beforeAll(async () => {
  const toolchain = await ensureToolchain();
  server = await startProsody();
  mock = await startMockModel();
  dir = mkdtempSync(join(tmpdir(), "clawxmpp-oc-channel-"));
  const caFile = join(dir, "prosody-ca.pem");
  writeFileSync(caFile, server.caCert);
  const packed = await packChannelPlugin(join(dir, "pack"));
  const home = await createOpenclawHome({
    toolchain,
    dir: join(dir, "oc"),
    env: { NODE_EXTRA_CA_CERTS: caFile },
  });
  const install = await home.cli([
    "plugins",
    "install",
    `npm-pack:${packed.tarball}`,
    "--force",
    "--accept-capabilities",
  ]);
  timings["plugins install"] = install.ms;
  expect(install.code, install.stdout + install.stderr).toBe(0);
  alice = clientFor(server, "alice");
  alice.use(iqAccess, {});
  await alice.start();
  const started = Date.now();
  gateway = await startGateway({
    home,
    config: {
      models: { mode: "merge", providers: { mock: mock.providerConfig() } },
      agents: { defaults: { model: { primary: MOCK_MODEL_REF } } },
      channels: {
        xmpp: {
          jid: `bot@${server.domain}`,
          password: server.accounts.bot!.password,
          server: server.host,
          port: server.c2sPort,
          resource: BOT_RESOURCE,
        },
      },
    },
  });
  timings["gateway start (ready)"] = gateway.startMs;
  timings["bot online after spawn"] = Date.now() - started + (await waitUntil(botOnline, 60_000));
}, 900_000);

afterAll(async () => {
  await gateway?.stop();
  await alice?.stop();
  await mock?.stop();
  await server?.stop();
  if (dir && !process.env.CLAWXMPP_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
  console.log(`openclaw channel e2e timings (ms): ${JSON.stringify(timings)}`);
}, 60_000);

describe("XMPP channel in a real gateway", () => {
  it("the account is online and `channels status` reports it ready", async () => {
    expect(await botOnline()).toBe(true);
    const status = await accountStatus();
    expect(status, JSON.stringify(status)).toMatchObject({
      lifecycle: "ready",
      connected: true,
      running: true,
    });
  }, 60_000);

  it("the gateway's pairing RPC answers for the channel (no pending requests yet)", async () => {
    const started = Date.now();
    const result = (await gateway!.call("channels.pairing.list", { channel: "xmpp" })) as {
      requests?: unknown[];
    };
    timings["gateway call channels.pairing.list"] = Date.now() - started;
    expect(result.requests).toEqual([]);
  }, 60_000);

  it("`openclaw message send --channel xmpp --target <jid>` arrives over XMPP", async () => {
    const received = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.body === "hello from the cli",
      60_000,
    );
    const result = await gateway!.cli([
      "message",
      "send",
      "--channel",
      "xmpp",
      "--target",
      `alice@${server.domain}`,
      "-m",
      "hello from the cli",
      "--json",
    ]);
    timings["message send (cli)"] = result.ms;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const message = await received;
    expect(message.from.bare).toBe(`bot@${server.domain}`);
    expect(message.type).toBe("chat");
  }, 90_000);

  it("SIGTERM: the bot's session is gone within 5 s", async () => {
    const started = Date.now();
    const stopping = gateway!.stop();
    const offlineAfter = await waitUntil(async () => !(await botOnline()), 5_000);
    timings["bot offline after SIGTERM"] = offlineAfter;
    expect(Date.now() - started).toBeLessThan(5_000);
    timings["gateway exit after SIGTERM"] = (await stopping).ms;
  }, 30_000);

  it("restart: the bot is back online", async () => {
    const started = Date.now();
    await gateway!.restart();
    timings["gateway restart (ready)"] = gateway!.startMs;
    await waitUntil(botOnline, 60_000);
    timings["bot online after restart"] = Date.now() - started;
  }, 120_000);

  it("a wrong password is reported as blocked and not retried", async () => {
    await gateway!.stop();
    const home = gateway!.home;
    home.writeConfig(deepMerge(home.readConfig(), { channels: { xmpp: { password: "wrong" } } }));
    await gateway!.restart();
    await gateway!.waitForOutput(/\[xmpp\][^\n]*not-authorized[^\n]*not retrying/u, 60_000);
    const status = await accountStatus();
    console.log(`channels status (wrong password): ${JSON.stringify(status)}`);
    expect(status, JSON.stringify(status)).toMatchObject({
      lifecycle: "blocked",
      terminalDisconnect: true,
    });
    // The gateway may wrap lastError (seen as an object in `channels status --json`).
    expect(JSON.stringify(status?.lastError)).toMatch(/not-authorized/u);
    // One attempt only: no supervisor restarts, no client retries.
    const attempts = gateway!.output().match(/\[xmpp\][^\n]*not-authorized/gu) ?? [];
    expect(attempts).toHaveLength(1);
    expect(await botOnline()).toBe(false);
  }, 180_000);
});
