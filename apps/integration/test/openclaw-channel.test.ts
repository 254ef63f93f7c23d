/**
 * The XMPP channel inside a real OpenClaw 2026.9.6 gateway (Node 24), installed
 * from its packed tarball, against a real Prosody: the account's connection
 * lifecycle (online, offline within 5 s of SIGTERM, back after a restart, a
 * wrong password reported as blocked without a restart storm) and
 * agent-initiated sends delivered by the gateway.
 *
 * Conversations over real stanzas: an unknown user is paired through
 * OpenClaw's own pairing store (code over XMPP, approval through the gateway
 * RPC, approval notice over XMPP, then the mock model's reply); a file alice
 * uploads (XEP-0363) reaches the agent as a downloaded attachment, and a file
 * in the agent's reply or in `message send --media` arrives uploaded; in a
 * room an unmentioned message gets no reply and a mention gets one, preceded
 * by an XEP-0085 typing notification, with the room's tool policy applied;
 * `openclaw message react` arrives as an XEP-0444 reaction to the right
 * message id; a heartbeat alert arrives, and none once `heartbeatVisibility`
 * hides alerts; the pairing survives a restart. The bot's password reaches
 * the gateway only as an env SecretRef, and the fixture's CA only through the
 * channel's own `tls.ca` (no NODE_EXTRA_CA_CERTS).
 *
 * Defects of issue #16: a client reusing a message id still gets a fresh
 * answer (OpenClaw knows messages by the server's XEP-0359 stanza-id); a
 * message to `bot/phone` (a second session of the bot's account) reaches the
 * bot only as a carbon and is not answered; a mediated invitation forged "from
 * the owner" by a hostile MUC service (an XEP-0114 component on
 * `muc.evil.test`) is ignored while the owner's invitation to a room on the
 * server's own MUC service is followed.
 *
 * Whether the bot is online is observed the XMPP way: alice pings the bot's
 * full JID (XEP-0199); the server answers with an error once the session is gone.
 */
import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { type Client, type InboundMessage, xml } from "@clawxmpp/core";
import { markers } from "@clawxmpp/markers";
import { type MucHandle, muc } from "@clawxmpp/muc";
import { type UploadHandle, upload } from "@clawxmpp/upload";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChannelE2e, setUpChannelE2e } from "../e2e/channel-e2e.js";
import { keepEvidenceOnFailure } from "../e2e/evidence.js";
import { deepMerge, findChannelAccount } from "../e2e/gateway.js";
import { clientFor, freePorts, type ProsodyInstance } from "../src/index.js";
import { nextEvent } from "./helpers.js";

/** A hostile MUC service: an XEP-0114 component the test drives byte by byte. */
const EVIL_SERVICE = "muc.evil.test";
const EVIL_SECRET = "evil-component-secret";
const PAIRING_APPROVED = /pairing request has been approved/u;
const NS_CHAT_STATES = "http://jabber.org/protocol/chatstates";
const NS_REACTIONS = "urn:xmpp:reactions:0";
const NS_OOB = "jabber:x:oob";
/** A tool the room's `groupSettings.<room>.tools` denies. */
const DENIED_TOOL = "exec";
let room: string;
let aliceFiles: UploadHandle;
let stateDir: string;
let workspace: string;
let aliceRooms: MucHandle;
/** Every message alice received, in order. */
const inbox: InboundMessage[] = [];
/** The text a client shows: the body without XEP-0428 fallbacks. */
const shown = (m: InboundMessage) => m.markers?.bodyWithoutFallback ?? m.body;
/** The id of alice's first admitted DM (the reaction target). */
let pingId: string | undefined;
const timings: Record<string, number> = {};
let server: ProsodyInstance;
let e2e: ChannelE2e;
let alice: Client;
/** The owner (allowFrom): invites the bot to a room on the server's own MUC service. */
let bob: Client;
let bobRooms: MucHandle;
let componentPort: number;

/** True when the bot's session answers alice's ping. */
function botOnline(): Promise<boolean> {
  return e2e.botOnline(alice);
}

/** `openclaw message send --channel xmpp --target alice@… -m <text> [extra…] --json`. */
function messageSendToAlice(text: string, ...extra: string[]) {
  const target = `alice@${server.domain}`;
  return e2e.gateway!.cli([
    "message",
    "send",
    "--channel",
    "xmpp",
    "--target",
    target,
    "-m",
    text,
    ...extra,
    "--json",
  ]);
}

/** Reacts with `emoji` to `messageId` at `target` through the gateway's `message.action` RPC. */
async function react(target: string, messageId: string, emoji: string): Promise<void> {
  await e2e.gateway!.call("message.action", {
    channel: "xmpp",
    action: "react",
    params: { target, messageId, emoji },
    // As the CLI sends it: an operator's own command, not an agent's delegated action.
    conversationReadOrigin: "direct-operator",
    senderIsOwner: true,
    agentId: "main",
    idempotencyKey: randomUUID(),
  });
}

/** `openclaw system event --text <text> --mode now`: the gateway's `wake` RPC. */
async function systemEvent(text: string): Promise<void> {
  const result = (await e2e.gateway!.call("wake", { mode: "now", text })) as { ok?: boolean };
  expect(result?.ok, JSON.stringify(result)).not.toBe(false);
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

/**
 * The xmpp default account's row of `openclaw channels status --json`, from the CLI or from the
 * `channels.status` RPC whose answer the CLI prints as it is.
 */
async function accountStatus(via: "cli" | "rpc"): Promise<AccountStatus | undefined> {
  if (via === "rpc") {
    const json = await e2e.gateway!.call("channels.status", { probe: false, timeoutMs: 10_000 });
    return findChannelAccount(json) as AccountStatus | undefined;
  }
  const result = await e2e.gateway!.cli(["channels", "status", "--json"]);
  expect(result.code, result.stdout + result.stderr).toBe(0);
  const json = JSON.parse(result.stdout) as unknown;
  return findChannelAccount(json) as AccountStatus | undefined;
}

/**
 * A minimal XEP-0114 component (`jabber:component:accept`) for `domain`: it
 * can send any stanza "from" its rooms, and records everything it receives.
 */
async function connectComponent(port: number, domain: string, secret: string) {
  const socket: Socket = connect({ host: "127.0.0.1", port });
  let received = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    received += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  socket.write(
    `<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='${domain}'>`,
  );
  await waitUntil(async () => /<stream:stream[^>]*\sid=['"]/u.test(received), 10_000);
  const streamId = /<stream:stream[^>]*\sid=['"]([^'"]+)/u.exec(received)![1]!;
  const digest = createHash("sha1")
    .update(streamId + secret)
    .digest("hex");
  socket.write(`<handshake>${digest}</handshake>`);
  await waitUntil(async () => /<handshake\s*\/>|<handshake><\/handshake>/u.test(received), 10_000);
  return {
    send: (stanza: string) => socket.write(stanza),
    received: () => received,
    close: () => socket.destroy(),
  };
}

// A failing test prints the gateway's log tail and keeps its state, so a rare failure leaves evidence.
const evidence = keepEvidenceOnFailure(() => e2e?.gateway);

beforeAll(async () => {
  componentPort = (await freePorts(1))[0]!;
  e2e = await setUpChannelE2e({
    name: "channel",
    prosody: {
      // A second MUC service the configuration does not trust, run by "an attacker".
      extraGlobal: [
        `component_ports = { ${componentPort} }`,
        `component_interfaces = { "127.0.0.1" }`,
        `Component "${EVIL_SERVICE}"`,
        `  component_secret = "${EVIL_SECRET}"`,
      ].join("\n"),
    },
    mockMediaFromWorkspace: true,
    // The bot's password reaches the gateway as an env SecretRef; the CA goes through `tls.ca` only.
    passwordFromEnv: true,
    timings,
    evidence,
  });
  ({ server, workspace } = e2e);
  stateDir = e2e.home.stateDir;
  alice = clientFor(server, "alice");
  aliceRooms = alice.use(muc, { nickname: "alice", joinTimeout: 10_000 });
  // Like a modern client, alice reads replies without their XEP-0461 quote fallback.
  alice.use(markers, {});
  // The fixture's upload service is plain http on localhost.
  aliceFiles = alice.use(upload, {
    downloadDir: join(e2e.dir, "alice-downloads"),
    allowInsecureHttp: true,
    allowPrivateAddresses: true,
  });
  alice.on("message", (message) => inbox.push(message));
  await alice.start();
  bob = clientFor(server, "bob");
  bobRooms = bob.use(muc, { nickname: "bob", joinTimeout: 10_000 });
  await bob.start();
  // alice creates the (non-anonymous) room before the bot joins it from its config.
  room = `lounge@${server.mucDomain}`;
  await aliceRooms.join(room);
  const started = Date.now();
  await e2e.startGateway({
    config: {
      // No cadence (every 0m); `system event --mode now` runs one, delivered to alice.
      agents: { defaults: { heartbeat: { target: "xmpp", to: `alice@${server.domain}` } } },
      // The channel's debug lines (why a message was not dispatched) reach the file log.
      logging: { level: "debug" },
    },
    channel: {
      allowFrom: [`bob@${server.domain}`],
      nickname: "bot",
      groups: [room],
      groupAllowFrom: [`alice@${server.domain}`],
      actions: { reactions: true },
      groupSettings: { [room]: { tools: { deny: [DENIED_TOOL] } } },
      // The fixture's uploads are served over http://localhost.
      network: { dangerouslyAllowPrivateNetwork: true },
      // alice (a paired user, not an owner) sends a dozen messages in well under a minute
      // across the scenarios; the default limit (burst 5, 20/min) would drop the room mention
      // whenever the run is quick. The limit itself is tested in the policy and channel units.
      rateLimit: { capacity: 50, refillPerMinute: 120 },
    },
  });
  await e2e.waitForBotOnline(alice);
  timings["bot online after spawn"] = Date.now() - started;
}, 900_000);

afterAll(async () => {
  await e2e?.stop([alice, bob]);
}, 60_000);

describe("XMPP channel in a real gateway", () => {
  it("the account is online and `channels status` reports it ready", async () => {
    expect(await botOnline()).toBe(true);
    const status = await accountStatus("cli");
    expect(status, JSON.stringify(status)).toMatchObject({
      lifecycle: "ready",
      connected: true,
      running: true,
      // Counters from the core client (one new session, no resumption yet).
      connects: 1,
      resumes: 0,
      reconnectAttempts: 0,
    });
  }, 60_000);

  it("the gateway's pairing RPC answers for the channel (no pending requests yet)", async () => {
    const started = Date.now();
    const result = (await e2e.gateway!.call("channels.pairing.list", { channel: "xmpp" })) as {
      requests?: unknown[];
    };
    timings["gateway call channels.pairing.list"] = Date.now() - started;
    expect(result.requests).toEqual([]);
  }, 60_000);

  it("scenario 1: an unknown user gets a pairing code; approval is announced; then the agent replies", async () => {
    const started = Date.now();
    const bot = `bot@${server.domain}`;
    const code = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.from.bare === bot && /Pairing code/u.test(m.body ?? ""),
      60_000,
    );
    await alice.send({ to: bot, type: "chat", body: "hello PING-early" });
    const pairingMessage = await code;
    timings["pairing code received"] = Date.now() - started;
    expect(pairingMessage.body).toMatch(new RegExp(`alice@${server.domain}`, "u"));
    expect(pairingMessage.body).toMatch(/openclaw pairing approve xmpp [A-Z0-9]{8}/u);
    // The agent was not asked: no PONG for a sender who is not paired.
    expect(e2e.mock.requests.some((r) => r.userText.includes("PING-early"))).toBe(false);

    const listed = (await e2e.gateway!.call("channels.pairing.list", { channel: "xmpp" })) as {
      requests: { requestId: string; senderId: string }[];
    };
    const request = listed.requests.find((r) => r.senderId === `alice@${server.domain}`);
    expect(request, JSON.stringify(listed)).toBeDefined();
    const notice = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.from.bare === bot && PAIRING_APPROVED.test(m.body ?? ""),
      60_000,
    );
    const approvedAt = Date.now();
    const approved = (await e2e.gateway!.call("channels.pairing.approve", {
      channel: "xmpp",
      accountId: "default",
      requestId: request!.requestId,
      notify: true,
    })) as { notification?: string };
    expect(approved.notification).toBe("sent");
    await notice;
    timings["approval notice received"] = Date.now() - approvedAt;

    const reply = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.from.bare === bot && shown(m) === "PONG-dm1",
      90_000,
    );
    const askedAt = Date.now();
    pingId = (await alice.send({ to: bot, type: "chat", body: "now PING-dm1" })).id;
    await reply;
    timings["first DM reply (cold turn)"] = Date.now() - askedAt;
  }, 240_000);

  it("a client reusing a message id still gets a fresh answer to each message", async () => {
    const bot = `bot@${server.domain}`;
    // Like a client with a per-session counter: the same id, no XEP-0359 origin-id.
    for (const token of ["reuse1", "reuse2"]) {
      const reply = nextEvent<InboundMessage>(
        alice,
        "message",
        (m) => m.from.bare === bot && shown(m) === `PONG-${token}`,
        90_000,
      );
      await alice.sendStanza(
        xml(
          "message",
          { to: bot, type: "chat", id: "counter-1" },
          xml("body", {}, `PING-${token}`),
        ),
      );
      await reply;
    }
    expect(e2e.mock.requests.some((r) => r.userText.includes("PING-reuse2"))).toBe(true);
  }, 180_000);

  it("a message to bot/phone (a second session of the bot's account) is not answered", async () => {
    const bot = `bot@${server.domain}`;
    const phone = clientFor(server, "bot", { resource: "phone" });
    const phoneInbox: InboundMessage[] = [];
    phone.on("message", (m) => phoneInbox.push(m));
    await phone.start();
    try {
      const from = inbox.length;
      await alice.send({ to: `${bot}/phone`, type: "chat", body: "for the human PING-phone" });
      await waitUntil(async () => phoneInbox.some((m) => m.body?.includes("PING-phone")), 10_000);
      // The bot's session got the carbon; its conversation with alice is handled in order, so
      // the answer to the next message proves the first one was looked at and skipped.
      const after = nextEvent<InboundMessage>(
        alice,
        "message",
        (m) => m.from.bare === bot && shown(m) === "PONG-after-phone",
        90_000,
      );
      await alice.send({ to: bot, type: "chat", body: "and you? PING-after-phone" });
      await after;
      expect(inbox.slice(from).some((m) => shown(m)?.includes("PONG-phone") === true)).toBe(false);
      expect(e2e.mock.requests.some((r) => r.userText.includes("PING-phone"))).toBe(false);
    } finally {
      await phone.stop();
    }
  }, 180_000);

  it("a forged invitation from an untrusted MUC service is ignored; the owner's invitation is followed", async () => {
    const bot = `bot@${server.domain}`;
    const trap = `trap@${EVIL_SERVICE}`;
    const evil = await connectComponent(componentPort, EVIL_SERVICE, EVIL_SECRET);
    try {
      // The hostile service claims the owner (bob) invited the bot.
      evil.send(
        `<message from='${trap}' to='${bot}' id='forged-1'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='bob@${server.domain}/pc'><reason>urgent</reason></invite></x></message>`,
      );
      await e2e.gateway!.waitForOutput(
        new RegExp(
          `ignored invitation to ${trap.replace(/\./gu, "\\.")}: a mediated invitation`,
          "u",
        ),
        60_000,
      );
      // The owner's mediated invitation to a room on the server's own service is followed.
      const trusted = `team-${Date.now()}@${server.mucDomain}`;
      await bobRooms.join(trusted);
      await bob.sendStanza(
        xml(
          "message",
          { to: trusted },
          xml(
            "x",
            { xmlns: "http://jabber.org/protocol/muc#user" },
            xml("invite", { to: bot }, xml("reason", {}, "join us")),
          ),
        ),
      );
      await waitUntil(
        async () => bobRooms.occupants(trusted).some((o) => o.nick === "bot"),
        60_000,
      );
      // The bot never tried to enter the hostile room.
      expect(evil.received()).not.toMatch(/<presence/u);
    } finally {
      evil.close();
    }
  }, 180_000);

  it("an attachment alice sends is downloaded into OpenClaw's media store and shown to the agent", async () => {
    const bot = `bot@${server.domain}`;
    const content = `notes for the agent ${Date.now()}`;
    const reply = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.from.bare === bot && shown(m)?.startsWith("PONG-att1") === true,
      90_000,
    );
    const started = Date.now();
    // Like Conversations: XEP-0363 upload, then body = URL plus XEP-0066 OOB.
    const sent = await aliceFiles.sendFile(bot, Buffer.from(content), {
      name: "notes-PING-att1.txt",
    });
    await reply;
    timings["attachment turn"] = Date.now() - started;
    const request = e2e.mock.requests.findLast((r) => r.userText.includes("PING-att1"));
    // The agent got a file (OpenClaw staged it and showed its text), not just a link.
    expect(request?.userText).toMatch(/\[media attached: \S+ \(text\/plain\) \| /u);
    expect(request?.userText).toContain(sent.url);
    expect(request?.userText).toContain(content);
    // The bytes sit in OpenClaw's media store; the plugin's own download was moved away.
    const inbound = join(stateDir, "media", "inbound");
    const stored = readdirSync(inbound).map((name) => readFileSync(join(inbound, name), "utf8"));
    expect(stored).toContain(content);
    expect(readdirSync(join(stateDir, "plugins", "xmpp", "default", "media"))).toEqual([]);
  }, 180_000);

  it("a file in the agent's reply (MEDIA line) is uploaded with XEP-0363 and arrives as body = URL plus OOB", async () => {
    const bot = `bot@${server.domain}`;
    const content = `report ${Date.now()}`;
    writeFileSync(join(workspace, "report-e2e.txt"), content);
    const file = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.from.bare === bot && m.stanza.getChild("x", NS_OOB) !== undefined,
      90_000,
    );
    const text = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.from.bare === bot && shown(m) === "PONG-report-e2e.txt",
      90_000,
    );
    const started = Date.now();
    await alice.send({ to: bot, type: "chat", body: "the report please ATTACH-report-e2e.txt" });
    const message = await file;
    await text;
    timings["reply with media"] = Date.now() - started;
    const url = message.stanza.getChild("x", NS_OOB)!.getChildText("url")!;
    expect(message.body).toBe(url);
    // Uploaded to the server's own upload service, then fetched back by alice.
    expect(new URL(url).port).toBe(String(server.httpPort));
    const downloaded = await aliceFiles.download(url);
    expect(readFileSync(downloaded.path, "utf8")).toBe(content);
  }, 180_000);

  // This scenario used to fail now and then (no reply within 90 s): the gateway log kept by
  // e2e/evidence.ts showed "room sender rate limited" — alice had spent the default burst on the
  // earlier scenarios when the run was quick. The account's rateLimit above is raised for that.
  it("scenario 2: in the room, no reply without a mention; a mention gets typing, then a reply", {
    timeout: 180_000,
  }, async () => {
    const occupant = `${room}/bot`;
    await waitUntil(async () => aliceRooms.occupants(room).some((o) => o.nick === "bot"), 60_000);
    const from = inbox.length;
    const reply = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.type === "groupchat" && m.from.full === occupant && shown(m) === "PONG-room1",
      90_000,
    );
    const started = Date.now();
    await aliceRooms.sendToRoom(room, "just chatting PING-room0");
    await aliceRooms.sendToRoom(room, "bot: please answer PING-room1");
    await reply;
    timings["room mention reply"] = Date.now() - started;
    const seen = inbox.slice(from).filter((m) => m.from.full === occupant);
    // Room messages are handled in order, so a reply to the first would have come first.
    expect(seen.some((m) => shown(m)?.includes("PONG-room0"))).toBe(false);
    // The unmentioned message was no turn of its own; the mention's turn saw it as room history.
    expect(e2e.mock.requests.some((r) => r.reply === "PONG-room0")).toBe(false);
    const mentionTurn = e2e.mock.requests.findLast((r) => r.reply === "PONG-room1");
    expect(mentionTurn?.userText).toContain("just chatting PING-room0");
    const typing = seen.findIndex((m) => m.stanza.getChild("composing", NS_CHAT_STATES));
    const answer = seen.findIndex((m) => shown(m) === "PONG-room1");
    expect(typing, "a composing notification").toBeGreaterThanOrEqual(0);
    expect(typing).toBeLessThan(answer);
    // When OpenClaw names the answered message, the reply references it (XEP-0461) by the
    // room's stanza-id, never by alice's own id.
    const mine = inbox.find(
      (m) => m.from.full === `${room}/alice` && m.body?.includes("PING-room1") === true,
    );
    const replyTo = seen[answer]!.markers?.replyTo;
    console.log(`room reply reference: ${JSON.stringify(replyTo ?? null)}`);
    if (replyTo !== undefined) expect(replyTo.id).toBe(mine?.stanzaIds[room]);
    // groupSettings.<room>.tools: the room's turn did not offer the denied tool; DMs did.
    const roomTurn = e2e.mock.requests.findLast((r) => r.userText.includes("PING-room1"));
    const dmTurn = e2e.mock.requests.findLast((r) => r.userText.includes("PING-dm1"));
    console.log(`tools offered in DMs: ${JSON.stringify(dmTurn?.tools)}`);
    expect(dmTurn?.tools).toContain(DENIED_TOOL);
    expect(roomTurn?.tools.length).toBeGreaterThan(0);
    expect(roomTurn?.tools).not.toContain(DENIED_TOOL);
  });

  // The `message.action` RPC is what `openclaw message react` calls (the channel runs its
  // actions in the gateway); one CLI process per reaction cost 8–22 s.
  it("scenario 4: a `react` message action (`openclaw message react`) arrives as an XEP-0444 reaction to alice's message", async () => {
    expect(pingId).toBeDefined();
    const reaction = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.stanza.getChild("reactions", NS_REACTIONS) !== undefined,
      60_000,
    );
    const started = Date.now();
    await react(`alice@${server.domain}`, pingId!, "👍");
    timings["message.action react (rpc)"] = Date.now() - started;
    const message = await reaction;
    const reactions = message.stanza.getChild("reactions", NS_REACTIONS)!;
    expect(message.from.bare).toBe(`bot@${server.domain}`);
    expect(message.type).toBe("chat");
    expect(reactions.attrs.id).toBe(pingId);
    expect(reactions.getChildren("reaction").map((r) => r.text())).toEqual(["👍"]);

    // In a room the reaction references the room's stanza-id and goes to the bare room JID.
    const mine = inbox.find(
      (m) => m.from.full === `${room}/alice` && m.body?.includes("PING-room1") === true,
    );
    const roomStanzaId = mine?.stanzaIds[room];
    expect(roomStanzaId, "the room assigns stanza-ids").toBeDefined();
    const roomReaction = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) =>
        m.type === "groupchat" &&
        m.from.full === `${room}/bot` &&
        m.stanza.getChild("reactions", NS_REACTIONS) !== undefined,
      60_000,
    );
    await react(room, roomStanzaId!, "🎉");
    const roomReactions = (await roomReaction).stanza.getChild("reactions", NS_REACTIONS)!;
    expect(roomReactions.attrs.id).toBe(roomStanzaId);
    expect(roomReactions.getChildren("reaction").map((r) => r.text())).toEqual(["🎉"]);
  }, 180_000);

  // The two CLI tests run side by side: each CLI process loads all of OpenClaw on one core
  // (12–22 s), and nothing else of the suite runs meanwhile.
  it.concurrent("`openclaw directory groups list` lists the room", async ({ expect }) => {
    const list = ["directory", "groups", "list", "--channel", "xmpp", "--json"];
    const result = await e2e.gateway!.cli(list);
    timings["directory groups list (cli)"] = result.ms;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(room);
  }, 90_000);

  it.concurrent("`openclaw message send --channel xmpp --target <jid>` arrives over XMPP", async ({
    expect,
  }) => {
    const received = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.body === "hello from the cli",
      60_000,
    );
    const result = await messageSendToAlice("hello from the cli");
    timings["message send (cli)"] = result.ms;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const message = await received;
    expect(message.from.bare).toBe(`bot@${server.domain}`);
    expect(message.type).toBe("chat");
  }, 90_000);

  // The `send` RPC is what `openclaw message send --media` calls (the CLI path itself is covered by
  // the plain `message send` above).
  it("a `send` with media (`openclaw message send --media <file>`) uploads the file (XEP-0363) and sends it with its caption", async () => {
    const content = `chart data ${Date.now()}`;
    const path = join(workspace, "chart-e2e.txt");
    writeFileSync(path, content);
    const bot = `bot@${server.domain}`;
    const caption = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.from.bare === bot && m.body === "the chart",
      60_000,
    );
    const file = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) =>
        m.from.bare === bot &&
        m.stanza.getChild("x", NS_OOB)?.getChildText("url")?.endsWith("chart-e2e.txt") === true,
      60_000,
    );
    const started = Date.now();
    const result = await e2e.gateway!.call("send", {
      channel: "xmpp",
      to: `alice@${server.domain}`,
      message: "the chart",
      mediaUrl: path,
      mediaUrls: [path],
      idempotencyKey: randomUUID(),
    });
    timings["send with media (rpc)"] = Date.now() - started;
    expect(result, JSON.stringify(result)).not.toMatchObject({ deliveryStatus: "failed" });
    await caption;
    const url = (await file).stanza.getChild("x", NS_OOB)!.getChildText("url")!;
    expect(new URL(url).port).toBe(String(server.httpPort));
    expect(readFileSync((await aliceFiles.download(url)).path, "utf8")).toBe(content);
  }, 90_000);

  it("a heartbeat alert reaches alice over XMPP (heartbeatVisibility unset = visible)", async () => {
    const bot = `bot@${server.domain}`;
    const alert = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.from.bare === bot && shown(m)?.includes("PONG-hb1") === true,
      90_000,
    );
    await systemEvent("PING-hb1");
    await alert;
  }, 120_000);

  it("SIGTERM: the bot's session is gone within 5 s", async () => {
    const started = Date.now();
    const stopping = e2e.gateway!.stop();
    const offlineAfter = await waitUntil(async () => !(await botOnline()), 5_000);
    timings["bot offline after SIGTERM"] = offlineAfter;
    expect(Date.now() - started).toBeLessThan(5_000);
    timings["gateway exit after SIGTERM"] = (await stopping).ms;
  }, 30_000);

  it("restart: the bot is back online", async () => {
    // From now on heartbeat alerts are hidden on this channel (checked below).
    const home = e2e.gateway!.home;
    home.writeConfig(
      deepMerge(home.readConfig(), {
        channels: { xmpp: { heartbeatVisibility: { showAlerts: false } } },
      }),
    );
    const started = Date.now();
    await e2e.gateway!.restart();
    timings["gateway restart (ready)"] = e2e.gateway!.startMs;
    await waitUntil(botOnline, 60_000);
    timings["bot online after restart"] = Date.now() - started;
  }, 120_000);

  it("scenario 5: after the restart alice is still paired and gets a reply", async () => {
    const bot = `bot@${server.domain}`;
    const reply = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.from.bare === bot && shown(m) === "PONG-again",
      90_000,
    );
    const started = Date.now();
    await alice.send({ to: bot, type: "chat", body: "back? PING-again" });
    await reply;
    timings["DM reply after restart"] = Date.now() - started;
  }, 120_000);

  it("heartbeatVisibility { showAlerts: false }: the heartbeat runs but posts nothing over XMPP", async () => {
    const from = inbox.length;
    await systemEvent("PING-hb2");
    // Event wakes are rate-limited (one per 30 s), so the run may be deferred.
    await waitUntil(async () => e2e.mock.requests.some((r) => r.reply === "PONG-hb2"), 90_000);
    const answered = e2e.mock.requests.find((r) => r.reply === "PONG-hb2")?.firstChunkAt ?? 0;
    // The run is over once OpenClaw records its outcome (`openclaw system heartbeat last`): skipped,
    // because alerts are hidden. Had an alert been sent, it would have left before that.
    let last: { ts?: number; status?: string; reason?: string } | null = null;
    await waitUntil(async () => {
      last = (await e2e.gateway!.call("last-heartbeat", {})) as typeof last;
      return (last?.ts ?? 0) >= answered;
    }, 30_000);
    expect(last, JSON.stringify(last)).toMatchObject({
      status: "skipped",
      reason: "alerts-disabled",
    });
    // A ping answered by the bot comes after anything the bot sent before it (one stream, in order).
    expect(await botOnline()).toBe(true);
    expect(inbox.slice(from).some((m) => shown(m)?.includes("PONG-hb2") === true)).toBe(false);
  }, 150_000);

  it("a wrong password is reported as blocked and not retried", async () => {
    // A change under channels.xmpp restarts the account in the running gateway (config hot
    // reload, the channel's `reload.configPrefixes`): no second gateway start needed.
    const home = e2e.gateway!.home;
    home.writeConfig(deepMerge(home.readConfig(), { channels: { xmpp: { password: "wrong" } } }));
    await e2e.gateway!.waitForOutput(/\[xmpp\][^\n]*not-authorized[^\n]*not retrying/u, 60_000);
    const status = await accountStatus("rpc");
    console.log(`channels status (wrong password): ${JSON.stringify(status)}`);
    expect(status, JSON.stringify(status)).toMatchObject({
      lifecycle: "blocked",
      terminalDisconnect: true,
    });
    // The gateway may wrap lastError (seen as an object in `channels status --json`).
    expect(JSON.stringify(status?.lastError)).toMatch(/not-authorized/u);
    // One attempt only: no supervisor restarts, no client retries.
    // (Core itself also logs "not reconnecting: terminal error" once per terminal failure.)
    const output = e2e.gateway!.output();
    const attempts = output.match(/\[xmpp\][^\n]*not-authorized[^\n]*\(not retrying\)/gu) ?? [];
    expect(attempts).toHaveLength(1);
    expect(output.match(/\[xmpp\] not reconnecting: terminal error/gu) ?? []).toHaveLength(1);
    expect(await botOnline()).toBe(false);
  }, 180_000);
});
