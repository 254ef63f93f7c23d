/**
 * Rooms as the agent sees them: recent history with a mention, the room's
 * system prompt and skills, reply modes (XEP-0461), XEP-0201 threads, and
 * room private messages (XEP-0045 §7.5) decided by the DM policy.
 */
import { type Element, silentLogger } from "@clawxmpp/core";
import type { MucMessageInfo } from "@clawxmpp/muc";
import { describe, expect, it } from "vitest";
import { parseXmppChannelConfig, resolveXmppAccount } from "./accounts.js";
import { createInboundHandler } from "./inbound.js";
import type { ReplyPayload } from "./openclaw-sdk.js";
import { resolveXmppReplyToMode } from "./reply-threading.js";
import { RoomHistory } from "./room-history.js";
import { autoJoinRooms } from "./room-settings.js";
import {
  ALICE,
  admittingSdk,
  BOT,
  inboundMessage,
  onlineBot,
  ROOM,
  recordingPairing,
} from "./test-harness.fixture.js";

const NS_REPLY = "urn:xmpp:reply:0";

let counter = 0;
/** A live message in ROOM (or, with `isPrivate`, a private one through it) with a fresh room stanza-id. */
function roomMessage(body: string, muc: Partial<MucMessageInfo> = {}, thread?: string) {
  counter++;
  return inboundMessage(
    {
      id: `m-${counter}`,
      from: `${ROOM}/${muc.nick ?? "alice"}`,
      type: muc.isPrivate ? "chat" : "groupchat",
      thread,
      body,
    },
    { roomStanzaId: muc.isPrivate ? undefined : `sid-${counter}`, ...muc },
  );
}

async function setup(raw: Record<string, unknown>, reply: ReplyPayload = { text: "PONG" }) {
  const { server, client, markers: handle } = await onlineBot();
  const built: Record<string, unknown>[] = [];
  const dispatched: Record<string, unknown>[] = [];
  const { pairing, challenges } = recordingPairing("Pairing code: ABCD2345");
  const { sdk } = admittingSdk(pairing);
  const account = resolveXmppAccount(
    parseXmppChannelConfig({ jid: BOT, password: "pw", groups: [ROOM], ...raw }),
  );
  const handler = createInboundHandler({
    cfg: { channels: { xmpp: raw } },
    accountId: "default",
    account,
    client,
    sdk,
    pairing,
    inboundRuntime: {
      buildContext: (params) => {
        built.push(params);
        return {};
      },
      dispatch: async (params) => {
        dispatched.push(params);
        const delivery = params.delivery as { deliver: (p: ReplyPayload) => Promise<unknown> };
        // Like OpenClaw with block streaming: two payloads answering the same message.
        await delivery.deliver(reply);
        await delivery.deliver({ ...reply, text: `${reply.text ?? ""} (more)` });
        return {};
      },
    },
    markers: handle,
    logger: silentLogger,
  });
  return { server, handler, built, dispatched, challenges, account };
}

const sentTo = (sent: readonly Element[], to: string) =>
  sent.filter((e) => e.name === "message" && e.attrs.to === to && e.getChildText("body"));

describe("room history as context", () => {
  it("a mention brings the recent room messages before it, oldest first, without itself", async () => {
    const { handler, built } = await setup({ groupAllowFrom: [ALICE], historyLimit: 2 });
    await handler.handle(roomMessage("first", { nick: "carol", realJid: undefined }));
    await handler.handle(roomMessage("second", { nick: "dave", realJid: undefined }));
    await handler.handle(roomMessage("third", { nick: "carol", realJid: undefined }));
    // History replayed on join is context too, never a turn.
    await handler.handle(roomMessage("replayed", { nick: "erin", isHistory: true }));
    await handler.handle(roomMessage("bot: what now?", { mentioned: true }));
    expect(built).toHaveLength(1);
    const context = built[0] as {
      message: { inboundHistory?: { sender: string; body: string }[] };
      sessionTranscript?: unknown;
    };
    expect(context.message.inboundHistory?.map((e) => `${e.sender}: ${e.body}`)).toEqual([
      "carol: third",
      "erin: replayed",
    ]);
    expect(context.sessionTranscript).toEqual({ historyLimit: 2, historyKind: "recent" });
  });

  it("historyLimit 0 in a room gives no history", async () => {
    const { handler, built } = await setup({
      groupAllowFrom: [ALICE],
      groupSettings: { [ROOM]: { historyLimit: 0 } },
    });
    await handler.handle(roomMessage("earlier", { nick: "carol" }));
    await handler.handle(roomMessage("bot: hi", { mentioned: true }));
    expect((built[0] as { message: Record<string, unknown> }).message.inboundHistory).toBe(
      undefined,
    );
  });

  it("the buffer is bounded and deduplicated by the room's stanza-id", () => {
    const history = new RoomHistory({ perRoom: 3, maxRooms: 2 });
    const a = history.record(ROOM, { sender: "a", body: "1", timestamp: 1, messageId: "x" });
    expect(history.record(ROOM, { sender: "a", body: "1", timestamp: 9, messageId: "x" })).toBe(a);
    for (const body of ["2", "3", "4"]) history.record(ROOM, { sender: "b", body, timestamp: 2 });
    expect(history.before(ROOM, Number.MAX_SAFE_INTEGER, 10).map((e) => e.body)).toEqual([
      "2",
      "3",
      "4",
    ]);
    history.record("r2@x", { sender: "c", body: "r2", timestamp: 3 });
    history.record("r3@x", { sender: "c", body: "r3", timestamp: 3 });
    // Three rooms in a buffer of two: the least recently active one is forgotten.
    expect(history.before(ROOM, Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    expect(history.before("r3@x", Number.MAX_SAFE_INTEGER, 10)).toHaveLength(1);
  });

  it("configured rooms ask for as much join history as they show", () => {
    const account = resolveXmppAccount(
      parseXmppChannelConfig({
        jid: BOT,
        groups: [ROOM, "quiet@conference.example.org"],
        historyLimit: 7,
        groupSettings: { "quiet@conference.example.org": { historyLimit: 0 } },
      }),
    );
    expect(autoJoinRooms(account)).toEqual([
      { jid: ROOM, history: { maxStanzas: 7 } },
      { jid: "quiet@conference.example.org", history: { maxStanzas: 0 } },
    ]);
  });
});

describe("per-room prompt and skills", () => {
  it("the room's systemPrompt goes to the agent as the group system prompt, skills as the skill filter", async () => {
    const { handler, built, dispatched } = await setup({
      groupAllowFrom: [ALICE],
      groupSettings: { [ROOM]: { systemPrompt: "Answer in haiku.", skills: ["weather"] } },
    });
    await handler.handle(roomMessage("bot: weather?", { mentioned: true }));
    expect(built[0]).toMatchObject({ supplemental: { groupSystemPrompt: "Answer in haiku." } });
    expect(dispatched[0]).toMatchObject({ replyOptions: { skillFilter: ["weather"] } });
  });

  it("a room without settings adds neither", async () => {
    const { handler, built, dispatched } = await setup({ groupAllowFrom: [ALICE] });
    await handler.handle(roomMessage("bot: hi", { mentioned: true }));
    expect(built[0]?.supplemental).toBeUndefined();
    expect(dispatched[0]?.replyOptions).toBeUndefined();
  });
});

describe("replyToMode (XEP-0461 with XEP-0428 fallback)", () => {
  it("rooms default to first: only the first message of an answer quotes", async () => {
    const mention = roomMessage("bot: quote me", { mentioned: true });
    const { handler, server } = await setup(
      { groupAllowFrom: [ALICE] },
      { text: "answer", replyToId: mention.muc!.roomStanzaId! },
    );
    await handler.handle(mention);
    const sent = sentTo(server.sent, ROOM);
    expect(sent).toHaveLength(2);
    expect(sent[0]!.getChild("reply", NS_REPLY)?.attrs.id).toBe(mention.muc!.roomStanzaId);
    expect(sent[0]!.getChildText("body")).toMatch(/^> alice wrote:\n> bot: quote me\n/u);
    expect(sent[1]!.getChild("reply", NS_REPLY)).toBeUndefined();
  });

  it("all quotes every message; off none", async () => {
    for (const [mode, expected] of [
      ["all", 2],
      ["off", 0],
    ] as const) {
      const mention = roomMessage("bot: quote me", { mentioned: true });
      const { handler, server } = await setup(
        { groupAllowFrom: [ALICE], replyToMode: mode },
        { text: "answer", replyToId: mention.muc!.roomStanzaId! },
      );
      await handler.handle(mention);
      const quoted = sentTo(server.sent, ROOM).filter((e) => e.getChild("reply", NS_REPLY));
      expect(quoted, mode).toHaveLength(expected);
    }
  });

  it("the threading adapter tells OpenClaw the mode per chat type", () => {
    const cfg = { channels: { xmpp: { jid: BOT, replyToModeByChatType: { direct: "all" } } } };
    expect(resolveXmppReplyToMode({ cfg, accountId: "default", chatType: "direct" })).toBe("all");
    expect(resolveXmppReplyToMode({ cfg, accountId: "default", chatType: "group" })).toBe("first");
    expect(resolveXmppReplyToMode({ cfg: { channels: { xmpp: { jid: 5 } } } })).toBe("off");
  });
});

describe("XEP-0201 threads", () => {
  it("the answer stays in the thread of the message it answers", async () => {
    const { handler, server } = await setup({ groupAllowFrom: [ALICE], replyToMode: "off" });
    await handler.handle(roomMessage("bot: in a thread", { mentioned: true }, "thread-7"));
    const sent = sentTo(server.sent, ROOM);
    expect(sent.map((e) => e.getChildText("thread"))).toEqual(["thread-7", "thread-7"]);
  });

  it("without a thread none is invented", async () => {
    const { handler, server } = await setup({ groupAllowFrom: [ALICE] });
    await handler.handle(roomMessage("bot: plain", { mentioned: true }));
    expect(sentTo(server.sent, ROOM).some((e) => e.getChild("thread"))).toBe(false);
  });
});

describe("room private messages", () => {
  it("are direct chats from the real JID, decided by the DM policy; replies go to the occupant", async () => {
    const { handler, server, built } = await setup({ allowFrom: [ALICE] });
    const outcome = await handler.handle(roomMessage("psst", { isPrivate: true, mentioned: true }));
    expect(outcome).toEqual({ kind: "dispatched", conversation: ALICE });
    expect(built[0]).toMatchObject({
      sender: { id: ALICE },
      conversation: { kind: "direct", id: ALICE },
    });
    const replies = sentTo(server.sent, `${ROOM}/alice`);
    expect(replies.map((e) => e.attrs.type)).toEqual(["chat", "chat"]);
  });

  it("a stranger gets the pairing code through the room; nobody is dispatched", async () => {
    const { handler, server, challenges, dispatched } = await setup({});
    const outcome = await handler.handle(
      roomMessage("hi", { isPrivate: true, realJid: "mallory@example.org" }),
    );
    expect(outcome).toEqual({ kind: "pairing", created: true });
    expect(challenges).toEqual(["mallory@example.org"]);
    expect(sentTo(server.sent, `${ROOM}/alice`)).toHaveLength(1);
    expect(dispatched).toEqual([]);
  });

  it("without a real JID, from an untrusted room, or with roomPrivateMessages off: not dispatched", async () => {
    const hidden = await setup({ allowFrom: [ALICE] });
    expect(
      (await hidden.handler.handle(roomMessage("x", { isPrivate: true, realJid: undefined }))).kind,
    ).toBe("denied");
    const untrusted = await setup({ allowFrom: [ALICE], groups: [], trustedMucServices: [] });
    expect((await untrusted.handler.handle(roomMessage("x", { isPrivate: true }))).kind).toBe(
      "denied",
    );
    const off = await setup({ allowFrom: [ALICE], roomPrivateMessages: "off" });
    expect((await off.handler.handle(roomMessage("x", { isPrivate: true }))).kind).toBe("ignored");
    expect([...hidden.dispatched, ...untrusted.dispatched, ...off.dispatched]).toEqual([]);
  });
});
