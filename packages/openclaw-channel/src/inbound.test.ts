import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, type Element, parseJid, silentLogger } from "@clawxmpp/core";
import type { MarkersHandle } from "@clawxmpp/markers";
import { DEFAULT_RATE_LIMIT_REPLY } from "@clawxmpp/policy";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { parseXmppChannelConfig, resolveXmppAccount } from "./accounts.js";
import { handleXmppAction, xmppActions } from "./actions.js";
import { policyConfigFor } from "./channel-policy.js";
import { createInboundHandler, type InboundDeps } from "./inbound.js";
import { MessageIdMap } from "./message-ids.js";
import type { OpenclawSdk, PairingController, ReplyPayload } from "./openclaw-sdk.js";
import {
  ALICE,
  admittingSdk,
  BOT,
  cleanupsAfterEach,
  liveBot,
  inboundMessage as message,
  onlineBot,
  ROOM,
} from "./test-harness.fixture.js";
import { resolveWorkSettings } from "./work-config.js";
import { accountWorkStatus } from "./work-status.js";

const NS_CHAT_STATES = "http://jabber.org/protocol/chatstates";
const NS_REACTIONS = "urn:xmpp:reactions:0";
/** Chat states to everyone, so a test sees them without a peer announcing support first. */
const CHAT_STATES = { chatStates: { sendTo: "always" } } as const;

const cleanups = cleanupsAfterEach();

/** A fake SDK recording every call; ingress admits whatever it is given. */
function fakeSdk() {
  let paired: string[] = [];
  const challenges: { senderId: string; senderIdLine: string }[] = [];
  const pairing: PairingController = {
    readAllowFromStore: async () => paired,
    issueChallenge: async (params) => {
      challenges.push(params);
      await params.sendPairingReply(`Pairing code: ABCD2345 for ${params.senderIdLine}`);
      return { created: true, code: "ABCD2345" };
    },
  };
  const { sdk, ingress } = admittingSdk(pairing);
  const calls = {
    ingress,
    challenges,
    built: [] as Record<string, unknown>[],
    dispatched: [] as Record<string, unknown>[],
  };
  const control = {
    /** What the agent "answers" to every turn. */
    reply: { text: "PONG" } as ReplyPayload,
    /** Awaited inside dispatch before the reply (serialisation tests). */
    gate: undefined as (() => Promise<void>) | undefined,
  };
  const inboundRuntime = {
    buildContext: (params: Record<string, unknown>) => {
      calls.built.push(params);
      return { ctx: true };
    },
    dispatch: async (params: Record<string, unknown>) => {
      calls.dispatched.push(params);
      await control.gate?.();
      const options = params.dispatcherOptions as { onReplyStart: () => Promise<void> };
      await options.onReplyStart();
      const delivery = params.delivery as { deliver: (p: ReplyPayload) => Promise<unknown> };
      await delivery.deliver(control.reply);
      return {};
    },
  };
  return {
    sdk,
    pairing,
    inboundRuntime,
    calls,
    control,
    setPaired: (list: string[]) => {
      paired = list;
    },
  };
}

async function setup(
  raw: Record<string, unknown>,
  extra: {
    files?: InboundDeps["files"];
    sdk?: Partial<OpenclawSdk>;
    ids?: MessageIdMap;
    logger?: InboundDeps["logger"];
    work?: (client: Client, handle: MarkersHandle) => InboundDeps["work"];
    answerWaiting?: InboundDeps["answerWaiting"];
  } = {},
) {
  const { server, client, markers: handle } = await onlineBot(CHAT_STATES);
  const fake = fakeSdk();
  Object.assign(fake.sdk, extra.sdk);
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
    files: extra.files,
    ids: extra.ids,
    logger: extra.logger ?? silentLogger,
    work: extra.work?.(client, handle),
    answerWaiting: extra.answerWaiting,
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
    expect(calls.dispatched).toEqual([]);
  });

  it("a sender approved in OpenClaw's pairing store is dispatched with its bare JID; the reply goes back as chat", async () => {
    const { handler, calls, server, setPaired } = await setup({});
    setPaired([ALICE]);
    const outcome = await handler.handle(
      message({
        from: `${ALICE}/phone`,
        body: "hello PING-1",
        originId: "origin-1",
        stanzaIds: { [BOT]: "server-sid-1", [ALICE]: "alice-archive-id" },
      }),
    );
    expect(outcome).toEqual({ kind: "dispatched", conversation: ALICE });
    expect(calls.built[0]).toMatchObject({
      channel: "xmpp",
      accountId: "default",
      // OpenClaw knows the message by the stanza-id our own server assigned (XEP-0359).
      messageId: "server-sid-1",
      from: `xmpp:${ALICE}`,
      sender: { id: ALICE },
      conversation: { kind: "direct", id: ALICE, routePeer: { kind: "direct", id: ALICE } },
      reply: { originatingTo: `xmpp:${ALICE}` },
      message: { rawBody: "hello PING-1", bodyForAgent: "hello PING-1" },
      access: { commands: { authorized: false } },
      route: { agentId: "main", routeSessionKey: `agent:main:xmpp:direct:${ALICE}` },
    });
    expect(calls.built[0]).not.toHaveProperty("media");
    // The ingress resolver is told exactly what the policy admitted.
    expect(calls.ingress[0]).toMatchObject({
      subject: { stableId: ALICE },
      conversation: { kind: "direct", id: ALICE },
      dmPolicy: "allowlist",
      allowFrom: [ALICE],
      contextBinding: { agentId: "main", sessionKey: `agent:main:xmpp:direct:${ALICE}` },
    });
    expect(calls.dispatched[0]).toMatchObject({
      route: { agentId: "main", sessionKey: `agent:main:xmpp:direct:${ALICE}` },
      ctxPayload: { ctx: true },
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

  it("direct replies stay plain by default (replyToMode off) even when OpenClaw names the answered message; messagePrefix reaches the agent", async () => {
    const { handler, server, setPaired, calls, control } = await setup({
      messagePrefix: "[xmpp]",
    });
    setPaired([ALICE]);
    control.reply = { text: "answer", replyToId: "origin-7" };
    await handler.handle(
      message({ from: `${ALICE}/phone`, body: "question", originId: "origin-7" }),
    );
    expect(calls.built[0]).toMatchObject({
      message: { rawBody: "question", bodyForAgent: "[xmpp] question" },
    });
    expect(bodies(server.sent, ALICE)).toEqual(["answer"]);
    expect(server.sent.some((e) => e.getChild("reply", "urn:xmpp:reply:0"))).toBe(false);
  });

  it("an XEP-0461 reply tells the agent which message it answers, without the quoted fallback", async () => {
    const { handler, calls, setPaired } = await setup({});
    setPaired([ALICE]);
    await handler.handle(
      message({
        from: ALICE,
        body: "> earlier answer\nyes, do it",
        markers: {
          replyTo: { id: "bot-msg-5", jid: parseJid(`${BOT}/openclaw`) },
          bodyWithoutFallback: "yes, do it",
          signalOnly: false,
        } as never,
      }),
    );
    expect(calls.built[0]).toMatchObject({
      message: { rawBody: "yes, do it" },
      extra: { ReplyToId: "bot-msg-5", ReplyToSender: BOT },
    });
  });

  it("owners (allowFrom) are admitted with command authority", async () => {
    const { handler, calls } = await setup({ allowFrom: [ALICE] });
    await handler.handle(message({ from: ALICE, body: "/status" }));
    expect(calls.built[0]).toMatchObject({
      sender: { id: ALICE },
      access: { commands: { authorized: true } },
    });
  });

  it("dmPolicy allowlist denies strangers without a pairing code", async () => {
    const { handler, calls } = await setup({
      dmPolicy: "allowlist",
      dmAllowlist: ["bob@example.org"],
    });
    const outcome = await handler.handle(message({ from: ALICE, body: "hi" }));
    expect(outcome.kind).toBe("denied");
    expect(calls.challenges).toEqual([]);
    expect(calls.dispatched).toEqual([]);
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
    expect(calls.dispatched).toEqual([]);
    expect(calls.challenges).toEqual([]);
  });

  it("handles one conversation at a time and bounds the queue", async () => {
    const { handler, control, setPaired } = await setup({ rateLimit: false });
    setPaired([ALICE]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let running = 0;
    let most = 0;
    control.gate = vi.fn(async () => {
      running++;
      most = Math.max(most, running);
      await gate;
      running--;
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

describe("answers to a waiting turn", () => {
  it("an /approve line and the answer to a waiting question pass the turn that waits for them", async () => {
    let waiting = false;
    const { handler, control, setPaired, calls } = await setup(
      { rateLimit: false },
      { answerWaiting: (conversation) => waiting && conversation === ALICE },
    );
    setPaired([ALICE]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The first turn blocks (the agent waits for an approval, then for an answer).
    control.gate = vi.fn(async () => {
      if (calls.dispatched.length === 1) await gate;
    });
    const blocked = handler.handle(message({ from: ALICE, body: "run it" }));
    await vi.waitFor(() => expect(calls.dispatched).toHaveLength(1));
    const approve = await handler.handle(
      message({ from: ALICE, id: "m2", body: "/approve k9 allow-once" }),
    );
    expect(approve.kind).toBe("dispatched");
    // A plain message waits behind the blocked turn …
    const queued = handler.handle(message({ from: ALICE, id: "m3", body: "later" }));
    // … unless a question waits for it.
    waiting = true;
    const answer = await handler.handle(message({ from: ALICE, id: "m4", body: "2" }));
    expect(answer.kind).toBe("dispatched");
    expect(calls.dispatched).toHaveLength(3);
    release();
    await blocked;
    await queued;
    expect(calls.dispatched).toHaveLength(4);
  });

  it("the next message waits until the answer's turn (typed or an owner's command) has ended too", async () => {
    let waiting = true;
    const { handler, control, setPaired, calls } = await setup(
      { rateLimit: false, allowFrom: [ALICE] },
      { answerWaiting: (conversation) => waiting && conversation === ALICE },
    );
    setPaired([ALICE]);
    // OpenClaw ends an answer's turn only after the run it answered: here, it is held.
    const gates: (() => void)[] = [];
    control.gate = vi.fn(
      () =>
        new Promise<void>((resolve) => {
          gates.push(resolve);
        }),
    );
    const typed = handler.handle(message({ from: ALICE, id: "m1", body: "2" }));
    await vi.waitFor(() => expect(calls.dispatched).toHaveLength(1));
    waiting = false;
    const next = handler.handle(message({ from: ALICE, id: "m2", body: "ASK again" }));
    const byForm = handler.command!(ALICE, "1");
    await vi.waitFor(() => expect(calls.dispatched).toHaveLength(2));
    // Neither the typed answer nor the command's turn has ended: the next message waits.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls.dispatched).toHaveLength(2);
    gates.shift()!();
    expect((await typed).kind).toBe("dispatched");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls.dispatched).toHaveLength(2);
    gates.shift()!();
    expect((await byForm).kind).toBe("dispatched");
    await vi.waitFor(() => expect(calls.dispatched).toHaveLength(3));
    gates.shift()!();
    expect((await next).kind).toBe("dispatched");
  });
});

/** A fake upload handle: "downloads" by writing a file, records uploads. */
function fakeFiles(dir: string, fail?: string) {
  const downloads: string[] = [];
  const uploads: {
    to: string;
    size: number;
    name: string | undefined;
    type: string | undefined;
  }[] = [];
  const files: NonNullable<InboundDeps["files"]> = {
    download: async (attachment) => {
      const url = typeof attachment === "string" ? attachment : attachment.url;
      downloads.push(url);
      if (fail !== undefined) throw new Error(fail);
      const path = join(dir, `dl-${downloads.length}.txt`);
      await writeFile(path, "file body PING-file");
      return {
        path,
        size: 19,
        contentType: "text/plain",
        declaredContentType: "text/plain",
        originalName: "notes.txt",
        url,
      };
    },
    sendFile: async (to, source, options = {}) => {
      const size = Buffer.isBuffer(source) ? source.length : -1;
      uploads.push({ to, size, name: options.name, type: options.type });
      return {
        id: "file-1",
        url: "https://upload.example.org/f",
        name: "f",
        size,
        contentType: "x",
      };
    },
  };
  return { files, downloads, uploads };
}

describe("attachments", () => {
  const URL_SENT = "https://upload.example.org/abc/notes.txt";
  const attachment = {
    url: URL_SENT,
    via: "body" as const,
    description: undefined,
    encrypted: false,
  };
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "clawxmpp-inbound-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
  });

  it("an admitted sender's file is downloaded, stored in OpenClaw's media store and passed as media", async () => {
    const { files, downloads } = fakeFiles(dir);
    const saved: { bytes: string; type: string | undefined; subdir: string | undefined }[] = [];
    const { handler, calls, setPaired } = await setup(
      {},
      {
        files,
        sdk: {
          saveMediaBuffer: async (buffer, contentType, subdir) => {
            saved.push({ bytes: buffer.toString(), type: contentType, subdir });
            return {
              id: "m",
              path: "/state/media/inbound/m.txt",
              size: buffer.length,
              contentType: contentType ?? "",
            };
          },
          toInboundMediaFacts: (media) => media.map((m) => ({ ...m, normalised: true })),
        },
      },
    );
    setPaired([ALICE]);
    const outcome = await handler.handle(
      message({ from: `${ALICE}/phone`, body: URL_SENT, attachments: [attachment] }),
    );
    expect(outcome.kind).toBe("dispatched");
    expect(downloads).toEqual([URL_SENT]);
    expect(saved).toEqual([
      { bytes: "file body PING-file", type: "text/plain", subdir: "inbound" },
    ]);
    // The body was only the URL: the agent gets the file, not the link as text.
    expect(calls.built[0]).toMatchObject({
      message: { rawBody: "" },
      media: [
        {
          path: "/state/media/inbound/m.txt",
          url: URL_SENT,
          contentType: "text/plain",
          fileName: "notes.txt",
          normalised: true,
        },
      ],
    });
    // Our own download was moved, not left behind.
    expect(await readdir(dir)).toEqual([]);
  });

  it("a caption stays the text; a failed download is told to the agent instead of dropped", async () => {
    const { files } = fakeFiles(dir, "refused: private address");
    const { handler, calls, setPaired } = await setup({}, { files });
    setPaired([ALICE]);
    await handler.handle(
      message({
        from: ALICE,
        body: `have a look\n${URL_SENT}`,
        attachments: [{ ...attachment, via: "oob" }],
      }),
    );
    const built = calls.built[0] as { message: { rawBody: string }; media?: unknown };
    expect(built.media).toBeUndefined();
    expect(built.message.rawBody).toMatch(
      /^have a look\n\[attachment not downloaded: upload\.example\.org "notes\.txt": refused: private address\]$/u,
    );
  });

  it("a stranger's attachment is never fetched", async () => {
    const { files, downloads } = fakeFiles(dir);
    const { handler } = await setup({}, { files });
    const outcome = await handler.handle(
      message({ from: ALICE, body: URL_SENT, attachments: [attachment] }),
    );
    expect(outcome.kind).toBe("pairing");
    expect(downloads).toEqual([]);
  });

  it("reply media: a local file goes through OpenClaw's loader with the agent's roots and is uploaded; a remote URL is linked", async () => {
    const { files, uploads } = fakeFiles(dir);
    const loads: { url: string; roots: readonly string[] | undefined; max: number | undefined }[] =
      [];
    const { handler, control, setPaired, server } = await setup(
      { mediaMaxMb: 1 },
      {
        files,
        sdk: {
          getAgentScopedMediaLocalRoots: (_cfg, agentId) => [`/workspace/${agentId}`],
          loadOutboundMediaFromUrl: async (url, options) => {
            loads.push({ url, roots: options.mediaLocalRoots, max: options.maxBytes });
            return { buffer: Buffer.from("png!"), contentType: "image/png", fileName: "chart.png" };
          },
        },
      },
    );
    setPaired([ALICE]);
    control.reply = {
      text: "here",
      mediaUrls: ["/workspace/main/chart.png", "https://example.org/cat.png"],
    };
    await handler.handle(message({ from: ALICE, body: "chart please" }));
    expect(loads).toEqual([
      { url: "/workspace/main/chart.png", roots: ["/workspace/main"], max: 1024 * 1024 },
    ]);
    expect(uploads).toEqual([{ to: ALICE, size: 4, name: "chart.png", type: "chat" }]);
    const link = server.sent.find((e) => e.getChildText("body") === "https://example.org/cat.png");
    expect(link?.getChild("x", "jabber:x:oob")?.getChildText("url")).toBe(
      "https://example.org/cat.png",
    );
    expect(bodies(server.sent, ALICE)).toContain("here");
  });

  it("reply media without OpenClaw's loader is refused, after the text was sent", async () => {
    const { files, uploads } = fakeFiles(dir);
    const { handler, control, setPaired, server } = await setup({}, { files });
    setPaired([ALICE]);
    control.reply = { text: "see file", mediaUrl: "/etc/passwd" };
    const outcome = await handler.handle(message({ from: ALICE, body: "file please" }));
    // The failure surfaces to OpenClaw's delivery (here: the dispatch rejects).
    expect(outcome).toMatchObject({
      kind: "ignored",
      reason: expect.stringMatching(/no media loader/u),
    });
    expect(uploads).toEqual([]);
    expect(bodies(server.sent, ALICE)).toEqual(["see file"]);
  });
});

describe("room messages", () => {
  const ROOM_CONFIG = { groups: [ROOM], groupAllowFrom: [ALICE] };

  it("a mention from an allowed real JID is dispatched: typing, then the reply in the room", async () => {
    const { handler, calls, server, control } = await setup(ROOM_CONFIG);
    control.reply = { text: "PONG-room", replyToId: "room-sid-1" };
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

  it("history and our own echo are never dispatched", async () => {
    const { handler, calls } = await setup({
      ...ROOM_CONFIG,
      groupSettings: { "*": { requireMention: false } },
    });
    for (const info of [
      { isHistory: true },
      { isOwn: true },
      { isPrivate: true, isHistory: true },
    ]) {
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
  const live = (raw: Record<string, unknown>) => liveBot(raw, { markers: CHAT_STATES });

  it("is offered only when actions.reactions is on", () => {
    const off = { channels: { xmpp: { jid: BOT } } };
    const on = { channels: { xmpp: { jid: BOT, actions: { reactions: true } } } };
    expect(xmppActions.describeMessageTool({ cfg: off })).toBeNull();
    expect(xmppActions.describeMessageTool({ cfg: on })).toEqual({ actions: ["react"] });
    expect(xmppActions.supportsAction({ action: "react" })).toBe(true);
    expect(xmppActions.supportsAction({ action: "poll" })).toBe(false);
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

  it("translates OpenClaw's id (the server's stanza-id) into the sender's reference id", async () => {
    const ids = new MessageIdMap();
    ids.remember(ALICE, { openclaw: "server-sid-9", reference: "alice-id-9" });
    const { server, cfg } = await liveBot(
      { actions: { reactions: true } },
      { markers: CHAT_STATES, session: { ids } },
    );
    const result = await handleXmppAction({
      action: "react",
      cfg,
      params: { target: ALICE, messageId: "server-sid-9", emoji: "👍" },
    });
    expect(result.details).toMatchObject({ messageId: "alice-id-9" });
    const sent = server.sent.find((e) => e.getChild("reactions", NS_REACTIONS));
    expect(sent!.getChild("reactions", NS_REACTIONS)!.attrs.id).toBe("alice-id-9");
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

describe("message ids (XEP-0359): OpenClaw's id is the server's, references stay the sender's", () => {
  it("a reused sender id still reaches the agent as a new message; references keep the sender's id", async () => {
    const ids = new MessageIdMap();
    const { handler, calls, setPaired } = await setup({}, { ids });
    setPaired([ALICE]);
    for (const [n, sid] of [
      [1, "sid-a"],
      [2, "sid-b"],
    ] as const) {
      await handler.handle(
        message({ from: `${ALICE}/pc`, id: "1", body: `PING-${n}`, stanzaIds: { [BOT]: sid } }),
      );
    }
    expect(calls.built.map((b) => b.messageId)).toEqual(["sid-a", "sid-b"]);
    // The agent reacting to OpenClaw's id reaches the sender's message by the sender's id.
    expect(ids.referenceOf(ALICE, "sid-b")).toBe("1");
  });

  it("without a server stanza-id each message gets a fresh local id", async () => {
    const { handler, calls, setPaired } = await setup({});
    setPaired([ALICE]);
    await handler.handle(message({ from: ALICE, id: "same", body: "one" }));
    await handler.handle(message({ from: ALICE, id: "same", body: "two" }));
    const [first, second] = calls.built.map((b) => String(b.messageId));
    expect(first).toMatch(/^xmpp-local-/u);
    expect(second).toMatch(/^xmpp-local-/u);
    expect(first).not.toBe(second);
  });

  it("a stanza-id claimed by someone else (by = the sender) is not taken as the server's", async () => {
    const { handler, calls, setPaired } = await setup({});
    setPaired([ALICE]);
    await handler.handle(
      message({ from: ALICE, id: "x", body: "hi", stanzaIds: { [ALICE]: "forged" } }),
    );
    expect(String(calls.built[0]?.messageId)).toMatch(/^xmpp-local-/u);
  });

  it("an XEP-0461 reply names the answered message by OpenClaw's id when it is known", async () => {
    const { handler, calls, setPaired } = await setup({});
    setPaired([ALICE]);
    await handler.handle(
      message({ from: ALICE, originId: "o-1", body: "first", stanzaIds: { [BOT]: "sid-1" } }),
    );
    await handler.handle(
      message({
        from: ALICE,
        body: "about that",
        stanzaIds: { [BOT]: "sid-2" },
        markers: {
          replyTo: { id: "o-1", jid: parseJid(ALICE) },
          bodyWithoutFallback: "about that",
          signalOnly: false,
        } as never,
      }),
    );
    expect(calls.built[1]).toMatchObject({ extra: { ReplyToId: "sid-1" } });
  });
});

describe("messages for another resource of our account", () => {
  it("carbons of messages to bot/phone are not answered; our session and bare JID are", async () => {
    const { handler, calls, setPaired } = await setup({});
    setPaired([ALICE]);
    const phone = await handler.handle(
      message({ from: ALICE, body: "for the human", to: parseJid(`${BOT}/phone`), via: "carbon" }),
    );
    expect(phone).toMatchObject({ kind: "ignored", reason: expect.stringMatching(/phone/u) });
    await handler.handle(message({ from: ALICE, body: "bare", to: parseJid(BOT) }));
    await handler.handle(
      message({ from: ALICE, body: "session", to: parseJid(`${BOT}/openclaw`) }),
    );
    await handler.handle(message({ from: ALICE, body: "no to", to: undefined }));
    expect(calls.built.map((b) => (b.message as { rawBody: string }).rawBody)).toEqual([
      "bare",
      "session",
      "no to",
    ]);
  });

  it("room messages carbon-copied from bot/phone's membership are not answered", async () => {
    const { handler, calls } = await setup({ groups: [ROOM], groupAllowFrom: [ALICE] });
    const outcome = await handler.handle(
      message(
        {
          from: `${ROOM}/alice`,
          type: "groupchat",
          body: "bot: hi",
          to: parseJid(`${BOT}/phone`),
          via: "carbon",
        },
        { mentioned: true },
      ),
    );
    expect(outcome.kind).toBe("ignored");
    expect(calls.dispatched).toEqual([]);
  });
});

describe("MUC trust boundary", () => {
  const EVIL = "trap@muc.evil.example";

  it("a real JID claimed by a room on an untrusted service carries no identity", async () => {
    const { handler, calls } = await setup({ allowFrom: [ALICE], groupPolicy: "open" });
    const outcome = await handler.handle(
      message(
        { from: `${EVIL}/alice`, type: "groupchat", body: "bot: /reset" },
        { room: EVIL, mentioned: true, realJid: ALICE },
      ),
    );
    expect(outcome.kind).toBe("dispatched");
    expect(calls.built[0]).toMatchObject({
      sender: { id: `${EVIL}/alice` },
      access: { commands: { authorized: false } },
    });
  });

  it("the same claim from our server's own service, or a room in groups, is believed", async () => {
    const { handler, calls } = await setup({ allowFrom: [ALICE], groups: ["x@muc.evil.example"] });
    await handler.handle(
      message(
        { from: `${ROOM}/alice`, type: "groupchat", body: "bot: /status" },
        { mentioned: true, realJid: ALICE },
      ),
    );
    await handler.handle(
      message(
        { from: "x@muc.evil.example/alice", type: "groupchat", body: "bot: /status" },
        { room: "x@muc.evil.example", mentioned: true, realJid: ALICE, roomStanzaId: "r2" },
      ),
    );
    expect(calls.built.map((b) => (b.access as { commands: unknown }).commands)).toEqual([
      { authorized: true },
      { authorized: true },
    ]);
  });
});

describe("rate limit", () => {
  it("owners are never throttled", async () => {
    const { handler, calls } = await setup({
      allowFrom: [ALICE],
      rateLimit: { capacity: 1, refillPerMinute: 1 },
    });
    for (let i = 0; i < 4; i++) await handler.handle(message({ from: ALICE, body: `m${i}` }));
    expect(calls.dispatched).toHaveLength(4);
  });

  it("a throttled sender is told once and logged at info", async () => {
    const infos: string[] = [];
    const logger = { ...silentLogger, info: (line: string) => infos.push(line) };
    const { handler, calls, server } = await setup(
      { dmPolicy: "open", rateLimit: { capacity: 1, refillPerMinute: 1 } },
      { logger },
    );
    const outcomes = [];
    for (let i = 0; i < 4; i++)
      outcomes.push(await handler.handle(message({ from: ALICE, body: `m${i}` })));
    expect(outcomes.map((o) => o.kind)).toEqual(["dispatched", "denied", "denied", "denied"]);
    expect(calls.dispatched).toHaveLength(1);
    const notices = bodies(server.sent, ALICE).filter((b) => b !== "PONG");
    expect(notices).toEqual([DEFAULT_RATE_LIMIT_REPLY]);
    expect(infos.filter((line) => /rate limited/u.test(line))).toHaveLength(1);
  });
});

describe("work status and live replies", () => {
  it("acks, streams the partial text, corrects it with the final text and removes the ack", async () => {
    const { handler, server, inboundRuntime } = await setup(
      { groups: [ROOM], groupAllowFrom: [ALICE] },
      {
        work: (client, handle) =>
          accountWorkStatus(
            client,
            handle,
            resolveWorkSettings({
              ackReaction: "👀",
              streaming: { mode: "live" },
              presence: { busy: false },
            }),
            () => {},
          ),
      },
    );
    let replyOptions: Record<string, unknown> = {};
    inboundRuntime.dispatch = async (params: Record<string, unknown>) => {
      replyOptions = params.replyOptions as Record<string, unknown>;
      (replyOptions.onPartialReply as (p: { text: string }) => void)({ text: "Hel" });
      const delivery = params.delivery as {
        deliver: (p: ReplyPayload, info: { kind: string }) => Promise<unknown>;
      };
      await delivery.deliver({ text: "Hello" }, { kind: "final" });
      return {};
    };
    // In a room the first text goes out at once and is corrected in place (XEP-0308).
    const outcome = await handler.handle(
      message({ from: `${ROOM}/alice`, type: "groupchat", body: "bot: hi" }, { mentioned: true }),
    );
    expect(outcome.kind).toBe("dispatched");
    expect(replyOptions.disableBlockStreaming).toBe(true);
    const reactions = server.sent
      .map((e) => e.getChild("reactions", "urn:xmpp:reactions:0"))
      .filter((r) => r !== undefined)
      .map((r) => [r.attrs.id, r.getChildren("reaction").map((x) => x.text())]);
    expect(reactions).toEqual([
      ["room-sid-1", ["👀"]],
      ["room-sid-1", []],
    ]);
    const texts = server.sent.filter((e) => e.attrs.to === ROOM && e.getChildText("body"));
    expect(texts.map((e) => e.getChildText("body"))).toEqual(["Hel", "Hello"]);
    expect(texts[1]!.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id).toBe(
      texts[0]!.attrs.id,
    );
  });
});
