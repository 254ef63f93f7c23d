/**
 * Rooms in a real OpenClaw 2026.9.6 gateway (one for the file) against a real
 * Prosody, with the mock model recording what the agent is given:
 *
 * - recent room history reaches the model with a mention: a message sent
 *   before the bot joined (XEP-0045 join history) and one sent live, unmentioned;
 *   in a room without join history, from the room's XEP-0313 archive;
 * - the room's `systemPrompt` reaches the model's system prompt;
 * - `replyToMode: "all"` makes the answer an XEP-0461 reply to the room's
 *   stanza-id of the mention, with an XEP-0428 quote fallback;
 * - a message in an XEP-0201 thread is answered in the same thread;
 * - room private messages are decided by the DM policy: the owner's is
 *   answered through the room, a stranger's gets a pairing code and no turn;
 * - `channels status --json` carries the doctor's findings (server, TLS,
 *   SASL mechanism, upload service, MAM, PEP, OMEMO readiness).
 */
import type { Client, InboundMessage } from "@clawxmpp/core";
import { markers } from "@clawxmpp/markers";
import { type MucHandle, muc } from "@clawxmpp/muc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChannelE2e, setUpChannelE2e } from "../e2e/channel-e2e.js";
import { keepEvidenceOnFailure } from "../e2e/evidence.js";
import { findChannelAccount } from "../e2e/gateway.js";
import { clientFor, type ProsodyInstance } from "../src/index.js";
import { configureRoom, nextEvent, until } from "./helpers.js";

const NS_REPLY = "urn:xmpp:reply:0";
const ROOM_PROMPT = "ROOM-PROMPT-7f3a: answer like a ship's captain.";
let server: ProsodyInstance;
let e2e: ChannelE2e;
let alice: Client;
let aliceRooms: MucHandle;
/** Not an owner here: a stranger to the DM policy. */
let bob: Client;
let bobRooms: MucHandle;
let room: string;
/** A room with XEP-0045 join history off: what was said before the bot came is in its archive only. */
let logbook: string;
const timings: Record<string, number> = {};
/** The text a client shows: the body without XEP-0428 fallbacks. */
const shown = (m: InboundMessage) => m.markers?.bodyWithoutFallback ?? m.body;

// A failing test prints the gateway's log tail and keeps its state.
const evidence = keepEvidenceOnFailure(() => e2e?.gateway);

beforeAll(async () => {
  e2e = await setUpChannelE2e({ name: "rooms", timings, evidence });
  ({ server } = e2e);
  alice = clientFor(server, "alice");
  aliceRooms = alice.use(muc, { nickname: "alice", joinTimeout: 10_000 });
  alice.use(markers, {});
  await alice.start();
  bob = clientFor(server, "bob");
  bob.use(markers, {});
  bobRooms = bob.use(muc, { nickname: "bob", joinTimeout: 10_000 });
  await bob.start();
  room = `deck@${server.mucDomain}`;
  await aliceRooms.join(room);
  // Said before the bot joins: it reaches the bot as join history only.
  await aliceRooms.sendToRoom(room, "before you came HIST-join");
  logbook = `logbook@${server.mucDomain}`;
  await aliceRooms.join(logbook);
  // XEP-0045 join history off (Prosody's field): what was said is in the archive only.
  await configureRoom(alice.iq, logbook, { "muc#roomconfig_historylength": "0" });
  await aliceRooms.sendToRoom(logbook, "only the archive knows HIST-mam");
  const started = Date.now();
  await e2e.startGateway({
    channel: {
      nickname: "bot",
      allowFrom: [`alice@${server.domain}`],
      groups: [room, logbook],
      historyLimit: 5,
      replyToMode: "all",
      groupSettings: { [room]: { systemPrompt: ROOM_PROMPT } },
    },
    config: { logging: { level: "debug" } },
    readyTimeoutMs: 300_000,
  });
  await until(() => aliceRooms.occupants(room).some((o) => o.nick === "bot"), 60_000, "bot joined");
  await until(
    () => aliceRooms.occupants(logbook).some((o) => o.nick === "bot"),
    60_000,
    "bot joined the logbook",
  );
  timings["gateway up, bot in the room"] = Date.now() - started;
  // About 40 s on an idle 2-core machine (pack, install, gateway start); far more under load.
}, 480_000);

afterAll(async () => {
  await e2e?.stop([alice, bob]);
}, 60_000);

describe("rooms in a real gateway", () => {
  it("a mention brings join history and live room messages, the room's system prompt, and an XEP-0461 reply", async () => {
    const occupant = `${room}/bot`;
    await aliceRooms.sendToRoom(room, "just chatting HIST-live");
    const reply = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.from.full === occupant && shown(m) === "PONG-h1",
      90_000,
    );
    const mention = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.from.full === `${room}/alice` && m.body?.includes("PING-h1") === true,
      30_000,
    );
    const started = Date.now();
    await aliceRooms.sendToRoom(room, "bot: what was said? PING-h1");
    const [answer, mine] = await Promise.all([reply, mention]);
    timings["room mention reply"] = Date.now() - started;
    const request = e2e.mock.requests.findLast((r) => r.userText.includes("PING-h1"));
    expect(request?.userText).toContain("HIST-join");
    expect(request?.userText).toContain("HIST-live");
    expect(request?.systemText).toContain(ROOM_PROMPT);
    const reference = answer.stanza.getChild("reply", NS_REPLY);
    expect(reference?.attrs.id).toBe(mine.stanzaIds[room]);
    expect(answer.body).toMatch(/^> .*PING-h1/mu);
  }, 120_000);

  it("in a room without join history, a mention brings the room's archived messages (XEP-0313)", async () => {
    const reply = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.from.full === `${logbook}/bot` && shown(m) === "PONG-m1",
      90_000,
    );
    await aliceRooms.sendToRoom(logbook, "bot: what was said here? PING-m1");
    await reply;
    const request = e2e.mock.requests.findLast((r) => r.userText.includes("PING-m1"));
    expect(request?.userText).toContain("HIST-mam");
  }, 120_000);

  it("a message in an XEP-0201 thread is answered in that thread", async () => {
    const reply = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.from.full === `${room}/bot` && m.type === "groupchat" && m.body !== undefined,
      60_000,
    );
    await alice.send({
      to: room,
      type: "groupchat",
      body: "bot: threaded PING-t1",
      thread: "thr-9",
    });
    const answer = await reply;
    const request = e2e.mock.requests.findLast((r) => r.userText.includes("PING-t1"));
    expect(shown(answer), JSON.stringify(request?.userText)).toBe("PONG-t1");
    expect(answer.thread).toBe("thr-9");
  }, 90_000);

  it("room private messages: the owner's is answered through the room, a stranger gets a pairing code", async () => {
    const occupant = `${room}/bot`;
    const reply = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.from.full === occupant && m.type === "chat" && shown(m) === "PONG-pm1",
      60_000,
    );
    await alice.send({ to: occupant, type: "chat", body: "psst PING-pm1" });
    await reply;
    // bob joins and whispers; the DM policy (pairing) answers with a code, the agent is not asked.
    await bobRooms.join(room);
    const code = nextEvent<InboundMessage>(
      bob,
      "message",
      (m) => m.from.full === occupant && /Pairing code/u.test(m.body ?? ""),
      60_000,
    );
    await bob.send({ to: occupant, type: "chat", body: "hello PING-pm2" });
    expect((await code).body).toContain(`bob@${server.domain}`);
    expect(e2e.mock.requests.some((r) => r.userText.includes("PING-pm2"))).toBe(false);
  }, 120_000);

  // `channels status --json` prints the `channels.status` RPC's answer as it is (the CLI itself is
  // covered in openclaw-channel.test.ts).
  it("`channels status` (the `channels.status` RPC) carries the doctor's findings", async () => {
    const status = await e2e.gateway!.call("channels.status", { probe: false, timeoutMs: 10_000 });
    const row = findChannelAccount(status);
    console.log(`doctor: ${JSON.stringify(row?.doctor)}`);
    expect(row?.doctor).toMatchObject({
      server: "reachable",
      tls: "starttls",
      saslMechanism: expect.stringMatching(/^SCRAM-/u),
      uploadService: `upload.${server.domain}`,
      mam: "available",
      pep: "available",
      omemo: "not enabled",
    });
  }, 60_000);
});
