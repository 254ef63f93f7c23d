/**
 * The OpenClaw channel with OMEMO (XEP-0384 0.3) over a real Prosody 0.12,
 * driving the channel's gateway code (`startXmppAccount`) directly with a
 * stand-in for OpenClaw's inbound runtime that echoes every turn: a clawxmpp
 * client with `@clawxmpp/omemo` sends the bot an encrypted DM and gets an
 * encrypted reply; a plaintext DM gets a plaintext reply; an encrypted DM
 * from a contact the policy does not admit is decrypted and denied; the
 * status shows the bot's device id and fingerprint (the one the contact's
 * session sees); the state file is in the account's directory (0600); when
 * the owner adds a device, the owner is told in a chat message.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client, InboundMessage } from "@clawxmpp/core";
import { NS_OMEMO } from "@clawxmpp/omemo";
import {
  type ChannelAccountSnapshot,
  newDeviceNotice,
  OMEMO_STATE_FILE,
  type OpenclawSdk,
  type PairingController,
  parseXmppChannelConfig,
  type ReplyPayload,
  resolveXmppAccount,
  startXmppAccount,
  xmppStatusProbe,
} from "@clawxmpp/openclaw-channel";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, type ProsodyInstance, startProsody } from "../src/index.js";
import { nextEvent, until } from "./helpers.js";
import { type OmemoAccount, omemoAccount } from "./omemo-helpers.js";
import { befriend } from "./pep-helpers.js";

let server: ProsodyInstance;
let dir: string;
let alice: OmemoAccount;
let carol: OmemoAccount;
const extra: OmemoAccount[] = [];
const controller = new AbortController();
let running: Promise<void> | undefined;
let snapshot: ChannelAccountSnapshot = { accountId: "default" };
const logs: string[] = [];
const BOT = () => server.accounts.bot!.jid;
const ALICE = () => server.accounts.alice!.jid;

/** OpenClaw's routing, ingress and pairing as the channel calls them; every sender is admitted by ingress. */
const sdk: OpenclawSdk = {
  resolveChannelInboundRouteEnvelope: (params) => ({
    route: { agentId: "main", sessionKey: `agent:main:xmpp:${params.peer.kind}:${params.peer.id}` },
    buildEnvelope: (input) => String(input.body),
  }),
  resolveStableChannelMessageIngress: async () => ({
    ingress: { admission: "dispatch" },
    senderAccess: { allowed: true, decision: "allow", reasonCode: "allowed" },
  }),
  createChannelPairingController: (): PairingController => ({
    readAllowFromStore: async () => [],
    issueChallenge: async () => ({ created: false }),
  }),
};

/** The agent: answers every turn with `echo: <text>`. */
const inboundRuntime = {
  buildContext: (params: { message: { rawBody: string } }) => params,
  dispatch: async (params: {
    ctxPayload: { message: { rawBody: string } };
    delivery: { deliver: (payload: ReplyPayload) => Promise<unknown> };
  }) => {
    await params.delivery.deliver({ text: `echo: ${params.ctxPayload.message.rawBody}` });
    return {};
  },
};

function replyTo(to: OmemoAccount, text: string): Promise<InboundMessage> {
  return nextEvent<InboundMessage>(
    to.client,
    "message",
    (m) => m.from.bare === BOT() && m.body === `echo: ${text}`,
    20_000,
  );
}

describe("the channel with OMEMO on Prosody", () => {
  // Denials are logged at debug with the sender's bare JID.
  beforeAll(async () => {
    server = await startProsody({
      accounts: { alice: "alice", bob: "bob", bot: "bot", carol: "carol" },
    });
    dir = mkdtempSync(join(tmpdir(), "clawxmpp-channel-omemo-"));
    // Mutual presence subscription: the bot gets PEP notifications of alice's device list.
    const bot = clientFor(server, "bot");
    const plainAlice = clientFor(server, "alice");
    await Promise.all([bot.start(), plainAlice.start()]);
    await befriend(bot, plainAlice);
    await Promise.all([bot.stop(), plainAlice.stop()]);
    [alice, carol] = await Promise.all([
      omemoAccount(server, "alice"),
      omemoAccount(server, "carol"),
    ]);

    const raw = {
      jid: BOT(),
      password: server.accounts.bot!.password,
      server: server.host,
      port: server.c2sPort,
      tls: { ca: server.caCert },
      dmPolicy: "allowlist",
      allowFrom: [ALICE()],
      omemo: { enabled: true, deviceLabel: "OpenClaw test" },
    };
    const log = (level: string) => (line: string) => logs.push(`${level} ${line}`);
    running = startXmppAccount(
      {
        cfg: { channels: { xmpp: raw } },
        accountId: "default",
        account: resolveXmppAccount(parseXmppChannelConfig(raw), "default"),
        runtime: {},
        abortSignal: controller.signal,
        log: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
        getStatus: () => snapshot,
        setStatus: (next) => {
          snapshot = next;
        },
        channelRuntime: { inbound: inboundRuntime, pairing: {} },
      },
      { sdk, stateDir: join(dir, "state"), clientOptions: { archive: { catchUp: false } } },
    );
    await until(
      () => snapshot.lifecycle === "ready" && snapshot.omemo !== undefined,
      30_000,
      "bot ready",
    );
    await until(
      () => logs.some((l) => l.includes("owners' OMEMO device lists fetched")),
      20_000,
      "baseline",
    );
  }, 90_000);

  afterAll(async () => {
    controller.abort();
    await running;
    await Promise.all([alice, carol, ...extra].map((a) => a?.client.stop()));
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("answers an encrypted DM encrypted, from the device the status shows", async () => {
    const shown = snapshot.omemo as { deviceId: number; fingerprint: string };
    expect(shown.fingerprint).toMatch(/^(?:[0-9a-f]{8} ){7}[0-9a-f]{8}$/u);
    expect(await xmppStatusProbe({ account: { accountId: "default" } })).toMatchObject({
      omemo: shown,
    });
    // The bot's device is published with the label (alice does not have the bot's presence: refresh).
    await untilAsync(
      async () =>
        (await alice.om.devices(BOT(), { refresh: true })).some(
          (d) => d.deviceId === shown.deviceId,
        ),
      20_000,
      "the bot's device published",
    );

    const reply = replyTo(alice, "secret hello 🔐");
    await alice.om.sendEncrypted(BOT(), "secret hello 🔐");
    const got = await reply;
    expect(got.omemo).toMatchObject({
      encrypted: true,
      jid: BOT(),
      deviceId: shown.deviceId,
      fingerprint: shown.fingerprint.replaceAll(" ", ""),
    });
    // The state is the account's: one file, private.
    const file = join(dir, "state", "plugins", "xmpp", "default", OMEMO_STATE_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("answers a plaintext DM in plaintext", async () => {
    const reply = replyTo(alice, "plain hello");
    const raw = nextEvent<InboundMessage>(
      alice.client,
      "message",
      (m) => m.from.bare === BOT(),
      20_000,
    );
    await alice.client.send({ to: BOT(), body: "plain hello", omemo: false });
    const got = await reply;
    expect(got.omemo).toBeUndefined();
    expect((await raw).stanza.getChild("encrypted", NS_OMEMO)).toBeUndefined();
  });

  it("decrypts an encrypted DM from a sender the policy does not admit, and denies it", async () => {
    const before = logs.length;
    await carol.om.sendEncrypted(BOT(), "let me in");
    await until(
      () => logs.slice(before).some((l) => /inbound denied/u.test(l)),
      20_000,
      "carol denied",
    );
    // Undecryptable messages are dropped by the plugin: reaching the policy means it was decrypted.
  });

  it("tells the owner when a new device appears on their account", async () => {
    const noticeFor = (client: Client) =>
      nextEvent<InboundMessage>(
        client,
        "message",
        (m) => m.from.bare === BOT() && /new OMEMO device/u.test(m.body ?? ""),
        30_000,
      );
    const seen = noticeFor(alice.client);
    const second = await omemoAccount(server, "alice");
    extra.push(second);
    const id = (await second.om.identity()).deviceId;
    expect((await seen).body).toBe(newDeviceNotice(ALICE(), id));
  });
});

async function untilAsync(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
