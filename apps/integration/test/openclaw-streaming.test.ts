/**
 * Live replies and work status of the XMPP channel in a real OpenClaw
 * 2026.9.6 gateway (packed plugin, mock model, real Prosody), one gateway for
 * the file:
 *
 * - `streaming.mode: live`: a 12-chunk answer reaches alice (whose client
 *   advertises XEP-0308) as one message, its first text within 1 s of the
 *   model's first chunk, corrected in place, the final text as the last
 *   correction of the same message;
 * - carol's client does not advertise XEP-0308: she gets the answer as blocks;
 * - in a room, a mention's streamed answer is one room message corrected in place;
 * - `ackReaction`: an XEP-0444 reaction to alice's message before the reply,
 *   removed after it; `sendReadReceipts`: an XEP-0333 `displayed` marker;
 * - `actions.edit` / `actions.delete`: `openclaw message edit|delete` arrive as
 *   an XEP-0308 correction and an XEP-0424 retraction of the bot's message.
 */
import { randomUUID } from "node:crypto";
import type { Client, InboundMessage } from "@clawxmpp/core";
import { markers, NS_CORRECTION, NS_RETRACT } from "@clawxmpp/markers";
import { type MucHandle, muc } from "@clawxmpp/muc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChannelE2e, setUpChannelE2e } from "../e2e/channel-e2e.js";
import { clientFor, type ProsodyInstance } from "../src/index.js";
import { nextEvent } from "./helpers.js";

const NS_REACTIONS = "urn:xmpp:reactions:0";
const NS_CHAT_MARKERS = "urn:xmpp:chat-markers:0";
const ACK = "👀";

interface Received {
  at: number;
  message: InboundMessage;
}

let server: ProsodyInstance;
let e2e: ChannelE2e;
let alice: Client;
let carol: Client;
let bot: string;
let room: string;
let aliceRooms: MucHandle;
const aliceInbox: Received[] = [];
const carolInbox: Received[] = [];
const timings: Record<string, number> = {};
/** The id of the bot's live message to alice (edited and deleted later). */
let liveMessageId: string | undefined;

const fromBot = (r: Received) => r.message.from.bare === bot;
const replaces = (m: InboundMessage) => m.stanza.getChild("replace", NS_CORRECTION)?.attrs.id;
const streamedReply = (token: string, count: number) =>
  Array.from(
    { length: count },
    (_, i) =>
      `${i === 0 ? token : ""} part ${i + 1}${(i + 1) % 4 === 0 && i + 1 < count ? ".\n\n" : ""}`,
  ).join("");

beforeAll(async () => {
  e2e = await setUpChannelE2e({
    name: "streaming",
    prosody: { accounts: { alice: "alice", carol: "carol", bot: "bot" } },
    mockChunkDelayMs: 150,
    passwordFromEnv: true,
    timings,
  });
  ({ server, bot } = e2e);
  // alice's client advertises XEP-0308 (the markers plugin); carol's does not.
  alice = clientFor(server, "alice");
  alice.use(markers, {});
  aliceRooms = alice.use(muc, { nickname: "alice", joinTimeout: 10_000 });
  alice.on("message", (message) => aliceInbox.push({ at: Date.now(), message }));
  await alice.start();
  // alice creates the room before the bot joins it from its config.
  room = `stream@${server.mucDomain}`;
  await aliceRooms.join(room);
  carol = clientFor(server, "carol");
  carol.on("message", (message) => carolInbox.push({ at: Date.now(), message }));
  await carol.start();
  await e2e.startGateway({
    // Two shared cores under load: startup has taken over 90 s.
    readyTimeoutMs: 240_000,
    channel: {
      allowFrom: [`alice@${server.domain}`, `carol@${server.domain}`],
      nickname: "bot",
      groups: [room],
      groupAllowFrom: [`alice@${server.domain}`],
      streaming: { mode: "live", throttleMs: 1000 },
      ackReaction: ACK,
      sendReadReceipts: true,
      actions: { edit: true, delete: true },
      presence: { busyStatus: "Thinking" },
    },
  });
}, 600_000);

afterAll(async () => {
  await e2e?.stop([alice, carol]);
}, 60_000);

describe("live replies and work status in a real gateway", () => {
  it("a 12-chunk answer: ack and read marker first, first text within 1 s of the model's first chunk, final text as a correction of the same message, ack removed", async () => {
    const token = "live1";
    const full = streamedReply(token, 12);
    const final = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) => m.from.bare === bot && replaces(m) !== undefined && m.body === full,
      // A cold first turn: over 60 s when the 2 shared cores are loaded.
      240_000,
    );
    const sentAt = Date.now();
    const { id } = await alice.send({ to: bot, type: "chat", body: `go STREAM12-${token}` });
    const finalCorrection = await final.catch((error: unknown) => {
      // What alice did get, for the failure message.
      const got = aliceInbox
        .filter((r) => r.at >= sentAt)
        .map((r) => r.message.stanza.toString().slice(0, 300));
      throw new Error(`${String(error)}; alice received:\n${got.join("\n")}`);
    });
    timings["live turn (cold)"] = Date.now() - sentAt;
    // The ack reaction's removal follows the reply.
    await waitFor(() =>
      aliceInbox.some(
        (r) => fromBot(r) && reactionsTo(r.message, id)?.length === 0 && r.at >= sentAt,
      ),
    );
    const turn = aliceInbox.filter((r) => fromBot(r) && r.at >= sentAt);
    const ackIndex = turn.findIndex((r) => reactionsTo(r.message, id)?.includes(ACK));
    const firstText = turn.findIndex((r) => r.message.body !== undefined && !replaces(r.message));
    expect(ackIndex, "ack reaction").toBeGreaterThanOrEqual(0);
    expect(firstText, "first text").toBeGreaterThan(ackIndex);
    expect(
      turn.some((r) => r.message.stanza.getChild("displayed", NS_CHAT_MARKERS)?.attrs.id === id),
      "read marker",
    ).toBe(true);
    const first = turn[firstText]!;
    liveMessageId = first.message.id;
    expect(first.message.body).toMatch(new RegExp(`^${token} part 1`, "u"));
    const request = e2e.mock.requests.find((r) => r.userText.includes(`STREAM12-${token}`));
    expect(request?.firstChunkAt).toBeDefined();
    const firstLatency = first.at - request!.firstChunkAt!;
    timings["first text after model's first chunk"] = firstLatency;
    expect(firstLatency).toBeLessThanOrEqual(1_000);
    // Every later text corrects that message; the last carries the final text.
    const corrections = turn.filter((r) => replaces(r.message) !== undefined);
    expect(corrections.length).toBeGreaterThanOrEqual(2);
    expect(new Set(corrections.map((r) => replaces(r.message)))).toEqual(new Set([liveMessageId]));
    expect(corrections.at(-1)!.message).toBe(finalCorrection);
    expect(
      turn.filter((r) => r.message.body !== undefined && !replaces(r.message)),
      "one message",
    ).toHaveLength(1);
    timings["corrections"] = corrections.length;
    const ackAt = turn[ackIndex]!.at;
    timings["ack after send"] = ackAt - sentAt;
  }, 300_000);

  it("a client without XEP-0308 gets the answer as blocks", async () => {
    const token = "blocks1";
    const sentAt = Date.now();
    await carol.send({ to: bot, type: "chat", body: `go STREAM12-${token}` });
    await waitFor(
      () =>
        carolInbox.some(
          (r) => r.at >= sentAt && fromBot(r) && r.message.body?.endsWith("part 12") === true,
        ),
      120_000,
    );
    const texts = carolInbox.filter((r) => r.at >= sentAt && fromBot(r) && r.message.body);
    expect(texts.some((r) => replaces(r.message) !== undefined)).toBe(false);
    expect(texts.length).toBeGreaterThanOrEqual(2);
    const joined = texts.map((r) => r.message.body!.trim()).join(" ");
    expect(joined.replace(/\s+/gu, " ")).toBe(
      streamedReply(token, 12).replace(/\s+/gu, " ").trim(),
    );
    timings["blocks"] = texts.length;
  }, 150_000);

  it("in a room, a mention's streamed answer is one message corrected in place", async () => {
    const token = "room1";
    const botOccupant = `${room}/bot`;
    const final = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) =>
        m.from.full === botOccupant &&
        replaces(m) !== undefined &&
        m.body === streamedReply(token, 8),
      120_000,
    );
    const sentAt = Date.now();
    await alice.send({ to: room, type: "groupchat", body: `bot: go STREAM8-${token}` });
    const last = await final;
    const texts = aliceInbox.filter(
      (r) => r.at >= sentAt && r.message.from.full === botOccupant && r.message.body,
    );
    const originals = texts.filter((r) => replaces(r.message) === undefined);
    expect(originals).toHaveLength(1);
    expect(originals[0]!.message.body).toMatch(new RegExp(`^${token} part 1`, "u"));
    expect(replaces(last)).toBe(originals[0]!.message.id);
    timings["room turn"] = Date.now() - sentAt;
  }, 150_000);

  // The `message.action` RPC is what `openclaw message edit|delete` call (the channel runs its
  // actions in the gateway); one CLI process per action cost 13–22 s.
  it("`edit` and `delete` message actions (`openclaw message edit|delete`) arrive as XEP-0308 and XEP-0424", async () => {
    expect(liveMessageId).toBeDefined();
    const target = `alice@${server.domain}`;
    const edited = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) =>
        m.from.bare === bot && replaces(m) === liveMessageId && m.body === "edited by the agent",
      60_000,
    );
    let started = Date.now();
    await e2e.gateway!.call("message.action", {
      channel: "xmpp",
      action: "edit",
      params: { target, messageId: liveMessageId!, message: "edited by the agent" },
      // As the CLI sends it: an operator's own command, not an agent's delegated action.
      conversationReadOrigin: "direct-operator",
      senderIsOwner: true,
      agentId: "main",
      idempotencyKey: randomUUID(),
    });
    await edited;
    timings["edit (rpc) to correction"] = Date.now() - started;
    const retracted = nextEvent<InboundMessage>(
      alice,
      "message",
      (m) =>
        m.from.bare === bot && m.stanza.getChild("retract", NS_RETRACT)?.attrs.id === liveMessageId,
      60_000,
    );
    started = Date.now();
    await e2e.gateway!.call("message.action", {
      channel: "xmpp",
      action: "delete",
      params: { target, messageId: liveMessageId! },
      conversationReadOrigin: "direct-operator",
      senderIsOwner: true,
      agentId: "main",
      idempotencyKey: randomUUID(),
    });
    await retracted;
    timings["delete (rpc) to retraction"] = Date.now() - started;
  }, 120_000);
});

/** The emojis of an XEP-0444 reaction to `id`, if `message` is one. */
function reactionsTo(message: InboundMessage, id: string): string[] | undefined {
  const reactions = message.stanza.getChild("reactions", NS_REACTIONS);
  if (reactions?.attrs.id !== id) return undefined;
  return reactions.getChildren("reaction").map((r) => r.text());
}

async function waitFor(check: () => boolean, ms = 30_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
