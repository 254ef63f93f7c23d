import {
  type Client,
  createClient,
  type Element,
  type InboundMessage,
  parseJid,
  xml,
} from "@clawxmpp/core";
import { markers } from "@clawxmpp/markers";
import type { MucMessageInfo } from "@clawxmpp/muc";
import { fakeServer } from "@clawxmpp/test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseXmppChannelConfig, resolveXmppAccount } from "./accounts.js";
import { handleXmppAction, xmppActions } from "./actions.js";
import { policyConfigFor } from "./channel-policy.js";
import { createInboundHandler } from "./inbound.js";
import { registerLiveClient } from "./live-clients.js";
import type { OpenclawSdk, PairingController, ReplyPayload } from "./openclaw-sdk.js";

const BOT = "bot@example.org";
const ALICE = "alice@example.org";
const ROOM = "team@conference.example.org";
const NS_CHAT_STATES = "http://jabber.org/protocol/chatstates";
const NS_REACTIONS = "urn:xmpp:reactions:0";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const silent = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silent;
  },
};

async function online() {
  const server = fakeServer({ jid: `${BOT}/openclaw` });
  const client: Client = createClient({
    jid: BOT,
    password: "pw",
    transport: server.factory,
    keepalive: { interval: 0 },
  });
  const handle = client.use(markers, { chatStates: { sendTo: "always" } });
  await client.start();
  cleanups.push(() => client.stop());
  return { server, client, markers: handle };
}

/** A fake SDK recording every call; ingress admits whatever it is given. */
function fakeSdk() {
  const calls = {
    dm: [] as Record<string, unknown>[],
    ingress: [] as Record<string, unknown>[],
    challenges: [] as { senderId: string; senderIdLine: string }[],
    built: [] as Record<string, unknown>[],
    dispatched: [] as Record<string, unknown>[],
  };
  let paired: string[] = [];
  const pairing: PairingController = {
    readAllowFromStore: async () => paired,
    issueChallenge: async (params) => {
      calls.challenges.push(params);
      await params.sendPairingReply(`Pairing code: ABCD2345 for ${params.senderIdLine}`);
      return { created: true, code: "ABCD2345" };
    },
  };
  const sdk: OpenclawSdk = {
    dispatchInboundDirectDm: async (params) => {
      calls.dm.push(params);
      await (params.resolveChannelIngress as (b: unknown) => Promise<unknown>)({
        agentId: "main",
        sessionKey: "s",
        inboundEventKind: "user_request",
      });
      await (params.deliver as (p: ReplyPayload) => Promise<void>)({ text: "PONG" });
      return {};
    },
    resolveChannelInboundRouteEnvelope: (params) => ({
      route: { agentId: "main", sessionKey: `agent:main:xmpp:group:${params.peer.id}` },
      buildEnvelope: (input) => String(input.body),
    }),
    resolveStableChannelMessageIngress: async (params) => {
      calls.ingress.push(params);
      return {
        ingress: { admission: "dispatch" },
        senderAccess: { allowed: true, decision: "allow", reasonCode: "allowed" },
      };
    },
    createChannelPairingController: () => pairing,
  };
  const inboundRuntime = {
    buildContext: (params: Record<string, unknown>) => {
      calls.built.push(params);
      return { ctx: true };
    },
    dispatch: async (params: Record<string, unknown>) => {
      calls.dispatched.push(params);
      const options = params.dispatcherOptions as { onReplyStart: () => Promise<void> };
      await options.onReplyStart();
      const delivery = params.delivery as { deliver: (p: ReplyPayload) => Promise<unknown> };
      await delivery.deliver({ text: "PONG-room", replyToId: "room-sid-1" });
      return {};
    },
  };
  return {
    sdk,
    pairing,
    inboundRuntime,
    calls,
    setPaired: (list: string[]) => {
      paired = list;
    },
  };
}

function message(
  fields: Omit<Partial<InboundMessage>, "from" | "body"> & {
    from: string;
    body?: string | undefined;
  },
  muc?: Partial<MucMessageInfo>,
): InboundMessage {
  const stanza: Element = xml("message", { from: fields.from, type: fields.type ?? "chat" });
  return {
    id: "m1",
    to: parseJid(BOT),
    type: "chat",
    subject: undefined,
    thread: undefined,
    originId: undefined,
    stanzaIds: {},
    delay: undefined,
    outgoing: false,
    via: "live",
    stanza,
    ...fields,
    from: parseJid(fields.from),
    body: fields.body,
    ...(muc === undefined
      ? {}
      : {
          muc: {
            room: ROOM,
            nick: "alice",
            realJid: ALICE,
            role: "participant",
            affiliation: "none",
            isHistory: false,
            roomStanzaId: "room-sid-1",
            mentioned: false,
            isPrivate: false,
            isOwn: false,
            ...muc,
          },
        }),
  } as InboundMessage;
}

async function setup(raw: Record<string, unknown>) {
  const { server, client, markers: handle } = await online();
  const fake = fakeSdk();
  const account = resolveXmppAccount(parseXmppChannelConfig({ jid: BOT, password: "pw", ...raw }));
  const handler = createInboundHandler({
    cfg: { channels: { xmpp: raw } },
    accountId: "default",
    account,
    client,
    sdk: fake.sdk,
    pairing: fake.pairing,
    inboundRuntime: fake.inboundRuntime,
    markers: handle,
    logger: silent,
  });
  return { server, client, handler, ...fake };
}

const bodies = (sent: readonly Element[], to: string) =>
  sent
    .filter((e) => e.name === "message" && e.attrs.to === to)
    .map((e) => e.getChildText("body"))
    .filter((body) => body !== null && body !== undefined);

describe("direct messages", () => {
  it("an unknown sender under dmPolicy pairing gets OpenClaw's pairing code and is not dispatched", async () => {
    const { handler, calls, server } = await setup({});
    const outcome = await handler.handle(message({ from: `${ALICE}/phone`, body: "hi" }));
    expect(outcome).toEqual({ kind: "pairing", created: true });
    expect(calls.challenges).toEqual([
      expect.objectContaining({ senderId: ALICE, senderIdLine: `Your XMPP address: ${ALICE}` }),
    ]);
    expect(bodies(server.sent, ALICE)).toEqual([
      `Pairing code: ABCD2345 for Your XMPP address: ${ALICE}`,
    ]);
    expect(calls.dm).toEqual([]);
  });

  it("a sender approved in OpenClaw's pairing store is dispatched with its bare JID; the reply goes back as chat", async () => {
    const { handler, calls, server, setPaired } = await setup({});
    setPaired([ALICE]);
    const outcome = await handler.handle(
      message({ from: `${ALICE}/phone`, body: "hello PING-1", originId: "origin-1" }),
    );
    expect(outcome).toEqual({ kind: "dispatched", conversation: ALICE });
    expect(calls.dm[0]).toMatchObject({
      channel: "xmpp",
      accountId: "default",
      peer: { kind: "direct", id: ALICE },
      senderId: ALICE,
      rawBody: "hello PING-1",
      // XEP-0444/0461 reference 1:1 messages by the sender's origin-id.
      messageId: "origin-1",
      commandAuthorized: false,
    });
    // The ingress resolver is told exactly what the policy admitted.
    expect(calls.ingress[0]).toMatchObject({
      subject: { stableId: ALICE },
      conversation: { kind: "direct", id: ALICE },
      dmPolicy: "allowlist",
      allowFrom: [ALICE],
      contextBinding: { agentId: "main", sessionKey: "s" },
    });
    expect(bodies(server.sent, ALICE)).toEqual(["PONG"]);
    // Typing was shown before the reply (XEP-0085).
    const composing = server.sent.findIndex(
      (e) => e.attrs.to === ALICE && e.getChild("composing", NS_CHAT_STATES),
    );
    const reply = server.sent.findIndex((e) => e.getChildText("body") === "PONG");
    expect(composing).toBeGreaterThanOrEqual(0);
    expect(composing).toBeLessThan(reply);
  });

  it("direct replies stay plain even when OpenClaw names the answered message; messagePrefix reaches the agent", async () => {
    const { handler, sdk, server, setPaired, calls } = await setup({ messagePrefix: "[xmpp]" });
    setPaired([ALICE]);
    sdk.dispatchInboundDirectDm = async (params) => {
      calls.dm.push(params);
      await (params.deliver as (p: ReplyPayload) => Promise<void>)({
        text: "answer",
        replyToId: "origin-7",
      });
      return {};
    };
    await handler.handle(
      message({ from: `${ALICE}/phone`, body: "question", originId: "origin-7" }),
    );
    expect(calls.dm[0]).toMatchObject({ rawBody: "question", bodyForAgent: "[xmpp] question" });
    expect(bodies(server.sent, ALICE)).toEqual(["answer"]);
    expect(server.sent.some((e) => e.getChild("reply", "urn:xmpp:reply:0"))).toBe(false);
  });

  it("owners (allowFrom) are admitted with command authority", async () => {
    const { handler, calls } = await setup({ allowFrom: [ALICE] });
    await handler.handle(message({ from: ALICE, body: "/status" }));
    expect(calls.dm[0]).toMatchObject({ senderId: ALICE, commandAuthorized: true });
  });

  it("dmPolicy allowlist denies strangers without a pairing code", async () => {
    const { handler, calls } = await setup({
      dmPolicy: "allowlist",
      dmAllowlist: ["bob@example.org"],
    });
    const outcome = await handler.handle(message({ from: ALICE, body: "hi" }));
    expect(outcome.kind).toBe("denied");
    expect(calls.challenges).toEqual([]);
    expect(calls.dm).toEqual([]);
  });

  it("ignores errors, headlines, carbons of our own messages, signals and empty bodies", async () => {
    const { handler, calls, setPaired } = await setup({});
    setPaired([ALICE]);
    for (const m of [
      message({ from: ALICE, body: "bounce", type: "error" }),
      message({ from: ALICE, body: "news", type: "headline" }),
      message({ from: BOT, body: "mine", outgoing: true }),
      message({ from: ALICE, body: "   " }),
      message({ from: ALICE, body: undefined }),
      message({ from: `${BOT}/other`, body: "from myself" }),
    ]) {
      expect((await handler.handle(m)).kind).toBe("ignored");
    }
    expect(calls.dm).toEqual([]);
    expect(calls.challenges).toEqual([]);
  });

  it("handles one conversation at a time and bounds the queue", async () => {
    const { handler, sdk, setPaired } = await setup({});
    setPaired([ALICE]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let running = 0;
    let most = 0;
    sdk.dispatchInboundDirectDm = vi.fn(async () => {
      running++;
      most = Math.max(most, running);
      await gate;
      running--;
      return {};
    });
    const results = Array.from({ length: 10 }, (_, i) =>
      handler.handle(message({ from: ALICE, body: `m${i}` })),
    );
    release();
    const outcomes = await Promise.all(results);
    expect(most).toBe(1);
    expect(outcomes.filter((o) => o.kind === "dispatched")).toHaveLength(8);
    expect(outcomes.filter((o) => o.kind === "ignored")).toHaveLength(2);
  });
});

describe("room messages", () => {
  const ROOM_CONFIG = { groups: [ROOM], groupAllowFrom: [ALICE] };

  it("a mention from an allowed real JID is dispatched: typing, then the reply in the room", async () => {
    const { handler, calls, server } = await setup(ROOM_CONFIG);
    const outcome = await handler.handle(
      message(
        { from: `${ROOM}/alice`, type: "groupchat", body: "bot: PING-room" },
        { mentioned: true },
      ),
    );
    expect(outcome).toEqual({ kind: "dispatched", conversation: ROOM });
    expect(calls.ingress[0]).toMatchObject({
      subject: { stableId: ALICE },
      conversation: { kind: "group", id: ROOM },
      groupPolicy: "allowlist",
      groupAllowFrom: [ALICE],
      mentionFacts: { canDetectMention: true, wasMentioned: true },
      policy: { activation: { requireMention: true } },
    });
    expect(calls.built[0]).toMatchObject({
      // Rooms are referenced by the room's stanza-id (XEP-0359 §4).
      messageId: "room-sid-1",
      sender: { id: ALICE, name: "alice" },
      conversation: { kind: "group", id: ROOM },
      access: { mentions: { wasMentioned: true } },
    });
    const toRoom = server.sent.filter((e) => e.attrs.to === ROOM);
    expect(toRoom.map((e) => e.attrs.type)).toEqual(["groupchat", "groupchat"]);
    expect(toRoom[0]!.getChild("composing", NS_CHAT_STATES)).toBeDefined();
    // XEP-0461: the reply references the room's stanza-id and the occupant answered.
    expect(toRoom[1]!.getChild("reply", "urn:xmpp:reply:0")?.attrs).toMatchObject({
      id: "room-sid-1",
      to: `${ROOM}/alice`,
    });
    expect(toRoom[1]!.getChildText("body")).toMatch(/PONG-room$/u);
  });

  it("without a mention (requireMention defaults to true) nothing is dispatched", async () => {
    const { handler, calls } = await setup(ROOM_CONFIG);
    const outcome = await handler.handle(
      message({ from: `${ROOM}/alice`, type: "groupchat", body: "just chatting" }, {}),
    );
    expect(outcome.kind).toBe("denied");
    expect(calls.dispatched).toEqual([]);
  });

  it("identity is the real JID: a stranger using an allowed nickname, or a hidden JID, is denied", async () => {
    const { handler, calls } = await setup(ROOM_CONFIG);
    const spoof = await handler.handle(
      message(
        { from: `${ROOM}/alice`, type: "groupchat", body: "bot: hi" },
        { mentioned: true, realJid: "mallory@example.org" },
      ),
    );
    const hidden = await handler.handle(
      message(
        { from: `${ROOM}/alice`, type: "groupchat", body: "bot: hi" },
        { mentioned: true, realJid: undefined },
      ),
    );
    expect(spoof.kind).toBe("denied");
    expect(hidden.kind).toBe("denied");
    expect(calls.dispatched).toEqual([]);
  });

  it("under groupPolicy open, a room hiding real JIDs is answered without any authority", async () => {
    const { handler, calls } = await setup({ groups: [ROOM], groupPolicy: "open" });
    const outcome = await handler.handle(
      message(
        { from: `${ROOM}/someone`, type: "groupchat", body: "bot: hi" },
        { mentioned: true, realJid: undefined, nick: "someone" },
      ),
    );
    expect(outcome.kind).toBe("dispatched");
    expect(calls.built[0]).toMatchObject({
      sender: { id: `${ROOM}/someone` },
      access: { commands: { authorized: false } },
    });
  });

  it("history, our own echo and room private messages are never dispatched", async () => {
    const { handler, calls } = await setup({
      ...ROOM_CONFIG,
      groupSettings: { "*": { requireMention: false } },
    });
    for (const info of [{ isHistory: true }, { isOwn: true }, { isPrivate: true }]) {
      const outcome = await handler.handle(
        message({ from: `${ROOM}/alice`, type: "groupchat", body: "bot: hi" }, info),
      );
      expect(outcome.kind).toBe("ignored");
    }
    expect(calls.dispatched).toEqual([]);
  });

  it("groupchat from a room we did not join is ignored", async () => {
    const { handler } = await setup(ROOM_CONFIG);
    const outcome = await handler.handle(
      message({ from: `${ROOM}/alice`, type: "groupchat", body: "bot: hi" }),
    );
    expect(outcome).toEqual({ kind: "ignored", reason: "not a joined room" });
  });
});

describe("policy mapping", () => {
  it("defaults fail closed and `*` becomes the explicit open policy", () => {
    const closed = policyConfigFor(resolveXmppAccount(parseXmppChannelConfig({ jid: BOT })));
    expect(closed).toMatchObject({
      dmPolicy: "pairing",
      groupPolicy: "allowlist",
      allowFrom: [],
      groupSettings: { "*": { requireMention: true } },
    });
    const open = policyConfigFor(
      resolveXmppAccount(
        parseXmppChannelConfig({ jid: BOT, dmAllowlist: ["*"], groupAllowFrom: ["*"] }),
      ),
    );
    expect(open).toMatchObject({ dmPolicy: "open", groupPolicy: "open", dmAllowlist: [] });
  });
});

describe("react action", () => {
  async function live(raw: Record<string, unknown>) {
    const { server, client, markers: handle } = await online();
    cleanups.push(registerLiveClient("default", { client, markers: handle }));
    return { server, cfg: { channels: { xmpp: { jid: BOT, password: "pw", ...raw } } } };
  }

  it("is offered only when actions.reactions is on", () => {
    const off = { channels: { xmpp: { jid: BOT } } };
    const on = { channels: { xmpp: { jid: BOT, actions: { reactions: true } } } };
    expect(xmppActions.describeMessageTool({ cfg: off })).toBeNull();
    expect(xmppActions.describeMessageTool({ cfg: on })).toEqual({ actions: ["react"] });
    expect(xmppActions.supportsAction({ action: "react" })).toBe(true);
    expect(xmppActions.supportsAction({ action: "edit" })).toBe(false);
  });

  it("sends an XEP-0444 reaction to the peer's message id as chat", async () => {
    const { server, cfg } = await live({ actions: { reactions: true } });
    const result = await handleXmppAction({
      action: "react",
      cfg,
      params: { target: `xmpp:${ALICE}`, messageId: "origin-1", emoji: "👍" },
    });
    expect(result.details).toMatchObject({ ok: true, to: ALICE, messageId: "origin-1" });
    const sent = server.sent.find((e) => e.getChild("reactions", NS_REACTIONS));
    expect(sent?.attrs).toMatchObject({ to: ALICE, type: "chat" });
    const reactions = sent!.getChild("reactions", NS_REACTIONS)!;
    expect(reactions.attrs.id).toBe("origin-1");
    expect(reactions.getChildren("reaction").map((r) => r.text())).toEqual(["👍"]);
  });

  it("reacts in a configured room as groupchat to the bare room JID", async () => {
    const { server, cfg } = await live({ actions: { reactions: true }, groups: [ROOM] });
    await handleXmppAction({
      action: "react",
      cfg,
      params: { to: ROOM, message_id: "room-sid-1", emoji: "🎉" },
    });
    const sent = server.sent.find((e) => e.getChild("reactions", NS_REACTIONS));
    expect(sent?.attrs).toMatchObject({ to: ROOM, type: "groupchat" });
    expect(sent!.getChild("reactions", NS_REACTIONS)!.attrs.id).toBe("room-sid-1");
  });

  it("refuses when reactions are off, without an id, or with a non-JID target", async () => {
    const off = await live({});
    await expect(
      handleXmppAction({
        action: "react",
        cfg: off.cfg,
        params: { target: ALICE, messageId: "x", emoji: "👍" },
      }),
    ).rejects.toThrow(/reactions are off/u);
    const on = { channels: { xmpp: { jid: BOT, actions: { reactions: true } } } };
    await expect(
      handleXmppAction({ action: "react", cfg: on, params: { target: ALICE, emoji: "👍" } }),
    ).rejects.toThrow(/id of the message/u);
    await expect(
      handleXmppAction({
        action: "react",
        cfg: on,
        params: { target: "not a jid", messageId: "x", emoji: "👍" },
      }),
    ).rejects.toThrow(/JID target/u);
  });
});
