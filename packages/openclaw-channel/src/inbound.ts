/**
 * Inbound messages → OpenClaw, through the current inbound API:
 * `dispatchInboundDirectDm` for direct chats (RFC 6121 §5.2.2 `chat`/`normal`)
 * and the routed turn (`resolveChannelInboundRouteEnvelope` +
 * `resolveStableChannelMessageIngress` + `channelRuntime.inbound.buildContext/
 * dispatch`) for XEP-0045 room messages.
 *
 * Who may talk is decided by `@clawxmpp/policy` on real bare JIDs; paired
 * senders come from OpenClaw's own pairing store, and unknown senders under
 * `dmPolicy: pairing` get a code issued by OpenClaw's pairing controller. The
 * ingress resolver receives that decision as an exact one-entry allowlist, so
 * OpenClaw's provenance check records what the policy admitted and nothing more.
 * History, our own room echoes, signals (reactions, chat states) and error
 * messages never reach the agent (prior-art S11, P4).
 */
import type { Client, InboundMessage, Logger } from "@clawxmpp/core";
import type { MarkersHandle } from "@clawxmpp/markers";
import type { PolicyEngine } from "@clawxmpp/policy";
import type { ResolvedXmppAccount } from "./accounts.js";
import { policyFor } from "./channel-policy.js";
import type {
  InboundRuntime,
  OpenclawSdk,
  PairingController,
  ReplyPayload,
} from "./openclaw-sdk.js";
import type { OpenClawConfig } from "./openclaw-types.js";
import { CHANNEL_ID } from "./plugin-manifest.js";

/** Conversations with a turn queued or running; beyond this, new conversations are dropped. */
export const MAX_ACTIVE_CONVERSATIONS = 256;
/** Turns queued per conversation; beyond this, new messages are dropped. */
export const MAX_QUEUED_PER_CONVERSATION = 8;

/** What the inbound handler needs. */
export interface InboundDeps {
  cfg: OpenClawConfig;
  accountId: string;
  account: ResolvedXmppAccount;
  client: Client;
  sdk: OpenclawSdk;
  pairing: PairingController;
  /** `ctx.channelRuntime.inbound`, for rooms; rooms are not dispatched without it. */
  inboundRuntime: InboundRuntime | undefined;
  markers: MarkersHandle | undefined;
  logger: Logger;
  /** Called after each admitted inbound message and each reply sent (status timestamps). */
  onActivity?: (kind: "inbound" | "outbound") => void;
}

/** The outcome of handling one message (tests and logs). */
export type InboundOutcome =
  | { kind: "ignored"; reason: string }
  | { kind: "denied"; reason: string }
  | { kind: "pairing"; created: boolean }
  | { kind: "dispatched"; conversation: string };

/** Handles inbound messages of one account; serialised per conversation, bounded. */
export interface InboundHandler {
  handle(message: InboundMessage): Promise<InboundOutcome>;
}

/** Creates the handler; `handle` never rejects. */
export function createInboundHandler(deps: InboundDeps): InboundHandler {
  let paired = new Set<string>();
  const policy: PolicyEngine = policyFor(deps.account, (jid) => paired.has(jid));
  const queues = new Map<string, { tail: Promise<unknown>; size: number }>();
  const own = deps.client.account.bare;

  const refreshPaired = async () => {
    try {
      paired = new Set(
        (await deps.pairing.readAllowFromStore()).map((entry) => entry.trim().toLowerCase()),
      );
    } catch (error) {
      deps.logger.warn("cannot read the pairing store", { error: String(error) });
    }
  };

  const prefix = deps.account.messagePrefix;
  const forAgent = (text: string) => (prefix === undefined ? text : `${prefix} ${text}`);

  /**
   * Sends one reply payload. In a room, a `replyToId` naming the message being
   * answered becomes an XEP-0461 reply to it (with its quoted fallback), so the
   * room sees who is answered. In a direct chat the conversation is linear and
   * OpenClaw sets `replyToId` on nearly every reply, so replies stay plain there.
   * Media URLs are sent as links (uploading them is not wired yet).
   */
  const sendText = async (
    to: string,
    type: "chat" | "groupchat",
    payload: ReplyPayload,
    answered: { id: string; jid: string; body: string },
  ) => {
    const parts = [payload.text, ...(payload.mediaUrls ?? []), payload.mediaUrl].filter(
      (part): part is string => typeof part === "string" && part.trim() !== "",
    );
    if (parts.length === 0) return;
    const body = parts.join("\n");
    if (type === "groupchat" && deps.markers !== undefined && payload.replyToId === answered.id) {
      await deps.markers.reply(to, answered, body, { type });
    } else {
      await deps.client.send({ to, type, body });
    }
    deps.onActivity?.("outbound");
  };

  const direct = async (message: InboundMessage, text: string): Promise<InboundOutcome> => {
    const from = message.from.bare;
    await refreshPaired();
    const decision = policy.decide({ kind: "dm", from });
    if (decision.action === "pair") {
      const result = await deps.pairing.issueChallenge({
        senderId: from,
        senderIdLine: `Your XMPP address: ${from}`,
        meta: { jid: from },
        sendPairingReply: async (reply) => {
          await deps.client.send({ to: from, type: "chat", body: reply });
        },
        onReplyError: (error) =>
          deps.logger.warn("could not send the pairing code", { error: String(error) }),
      });
      return { kind: "pairing", created: result.created };
    }
    if (decision.action !== "allow") return { kind: "denied", reason: decision.reason };
    deps.onActivity?.("inbound");
    const messageId = deps.markers?.targetIdFor(message) ?? message.id ?? `in-${Date.now()}`;
    void deps.markers?.composing(from).catch(() => {});
    await deps.sdk.dispatchInboundDirectDm({
      cfg: deps.cfg,
      channel: CHANNEL_ID,
      channelLabel: "XMPP",
      accountId: deps.accountId,
      peer: { kind: "direct", id: from },
      senderId: from,
      senderAddress: `${CHANNEL_ID}:${from}`,
      recipientAddress: `${CHANNEL_ID}:${own}`,
      conversationLabel: from,
      rawBody: text,
      bodyForAgent: forAgent(text),
      messageId,
      timestamp: (message.delay?.stamp ?? new Date()).getTime(),
      commandAuthorized: decision.sender === "owner",
      channelRuntime:
        deps.inboundRuntime === undefined ? undefined : { inbound: deps.inboundRuntime },
      resolveChannelIngress: (binding: unknown) =>
        deps.sdk.resolveStableChannelMessageIngress({
          channelId: CHANNEL_ID,
          accountId: deps.accountId,
          identity: { key: "xmpp-jid", entryIdPrefix: "xmpp-entry", normalize: normaliseEntry },
          cfg: deps.cfg,
          subject: { stableId: from },
          conversation: { kind: "direct", id: from },
          contextBinding: binding,
          // The policy above decided; OpenClaw records exactly that admission.
          dmPolicy: "allowlist",
          groupPolicy: "disabled",
          allowFrom: [from],
          command: false,
        }),
      deliver: (payload: ReplyPayload) =>
        sendText(from, "chat", payload, { id: messageId, jid: message.from.full, body: text }),
      onRecordError: (error: unknown) =>
        deps.logger.warn("could not record the inbound session", { error: String(error) }),
      onDispatchError: (error: unknown) =>
        deps.logger.warn("reply dispatch failed", { error: String(error) }),
    });
    return { kind: "dispatched", conversation: from };
  };

  const room = async (message: InboundMessage, text: string): Promise<InboundOutcome> => {
    const info = message.muc!;
    const decision = policy.decide({
      kind: "group",
      room: info.room,
      realJid: info.realJid,
      mentioned: info.mentioned,
    });
    if (decision.action !== "allow") return { kind: "denied", reason: decision.reason };
    const inbound = deps.inboundRuntime;
    if (inbound === undefined) return { kind: "ignored", reason: "no inbound runtime" };
    deps.onActivity?.("inbound");
    // Under groupPolicy "open" in a room hiding real JIDs, the occupant JID is all there is;
    // it never carries authority (command authorisation needs an owner's real JID).
    const sender = decision.jid ?? message.from.full;
    const roomJid = info.room;
    const messageId = info.roomStanzaId ?? message.id ?? `in-${Date.now()}`;
    const timestamp = (message.delay?.stamp ?? new Date()).getTime();
    const { route, buildEnvelope } = deps.sdk.resolveChannelInboundRouteEnvelope({
      cfg: deps.cfg,
      channel: CHANNEL_ID,
      accountId: deps.accountId,
      peer: { kind: "group", id: roomJid },
    });
    const requireMention = policy.roomSettings(roomJid).requireMention;
    const access = await deps.sdk.resolveStableChannelMessageIngress({
      channelId: CHANNEL_ID,
      accountId: deps.accountId,
      identity: { key: "xmpp-jid", entryIdPrefix: "xmpp-entry", normalize: normaliseEntry },
      cfg: deps.cfg,
      subject: { stableId: sender },
      conversation: { kind: "group", id: roomJid },
      contextBinding: {
        agentId: route.agentId,
        sessionKey: route.sessionKey,
        messageId,
        inboundEventKind: "user_request",
      },
      dmPolicy: "disabled",
      groupPolicy: "allowlist",
      allowFrom: [],
      groupAllowFrom: [sender],
      policy: { activation: { requireMention, allowTextCommands: false } },
      mentionFacts: {
        canDetectMention: true,
        wasMentioned: info.mentioned,
        hasAnyMention: info.mentioned,
      },
      command: false,
    });
    if (access.ingress.admission !== "dispatch") {
      return { kind: "denied", reason: `ingress ${access.ingress.admission}` };
    }
    const nick = info.nick ?? sender;
    const ctxPayload = await inbound.buildContext({
      channel: CHANNEL_ID,
      accountId: route.accountId ?? deps.accountId,
      messageId,
      messageIdFull: messageId,
      timestamp,
      from: `${CHANNEL_ID}:${sender}`,
      sender: { id: sender, name: nick },
      conversation: {
        kind: "group",
        id: roomJid,
        routePeer: { kind: "group", id: roomJid },
        label: roomJid,
      },
      route: {
        agentId: route.agentId,
        accountId: route.accountId,
        routeSessionKey: route.sessionKey,
        dispatchSessionKey: route.sessionKey,
      },
      reply: { to: `${CHANNEL_ID}:${roomJid}`, originatingTo: `${CHANNEL_ID}:${roomJid}` },
      message: {
        body: buildEnvelope({
          channel: "XMPP",
          from: `${nick} in ${roomJid}`,
          body: text,
          timestamp,
        }),
        bodyForAgent: forAgent(text),
        rawBody: text,
        commandBody: text,
      },
      access: {
        commands: { authorized: decision.sender === "owner" },
        mentions: { canDetectMention: true, wasMentioned: info.mentioned },
      },
      channelIngress: access,
      extra: { GroupSubject: roomJid, OriginatingChannel: CHANNEL_ID },
    });
    await inbound.dispatch({
      cfg: deps.cfg,
      channel: CHANNEL_ID,
      accountId: route.accountId ?? deps.accountId,
      route: { agentId: route.agentId, sessionKey: route.sessionKey },
      ctxPayload,
      record: {
        onRecordError: (error: unknown) =>
          deps.logger.warn("could not record the room session", { error: String(error) }),
      },
      delivery: {
        deliver: async (payload: ReplyPayload) => {
          await sendText(roomJid, "groupchat", payload, {
            id: messageId,
            jid: message.from.full,
            body: text,
          });
          return { visibleReplySent: true };
        },
        onError: (error: unknown) =>
          deps.logger.warn("room reply failed", { error: String(error) }),
      },
      dispatcherOptions: {
        onReplyStart: async () => {
          await deps.markers?.composing(roomJid, { type: "groupchat" }).catch(() => {});
        },
      },
    });
    return { kind: "dispatched", conversation: roomJid };
  };

  const process = async (message: InboundMessage): Promise<InboundOutcome> => {
    if (message.outgoing) return { kind: "ignored", reason: "own message (carbon)" };
    if (message.type === "headline" || message.type === "error") {
      return { kind: "ignored", reason: `type ${message.type}` };
    }
    if (message.markers?.signalOnly) return { kind: "ignored", reason: "signal only" };
    const text = (message.markers?.bodyWithoutFallback ?? message.body)?.trim();
    if (!text) return { kind: "ignored", reason: "no body" };
    const info = message.muc;
    if (info !== undefined) {
      if (info.isPrivate) return { kind: "ignored", reason: "room private message" };
      if (info.isHistory) return { kind: "ignored", reason: "room history" };
      if (info.isOwn) return { kind: "ignored", reason: "own room echo" };
      return room(message, text);
    }
    if (message.type === "groupchat") return { kind: "ignored", reason: "not a joined room" };
    if (message.from.bare === own) return { kind: "ignored", reason: "from own account" };
    return direct(message, text);
  };

  return {
    handle(message) {
      const key = message.muc?.room ?? message.from.bare;
      let queue = queues.get(key);
      if (queue === undefined) {
        if (queues.size >= MAX_ACTIVE_CONVERSATIONS) {
          return Promise.resolve({ kind: "ignored", reason: "too many active conversations" });
        }
        queue = { tail: Promise.resolve(), size: 0 };
        queues.set(key, queue);
      }
      if (queue.size >= MAX_QUEUED_PER_CONVERSATION) {
        return Promise.resolve({ kind: "ignored", reason: "conversation queue full" });
      }
      const current = queue;
      current.size++;
      const run = current.tail.then(() => process(message));
      const settled = run.then(
        (outcome) => outcome,
        (error: unknown): InboundOutcome => {
          deps.logger.warn("inbound message failed", { error: String(error) });
          return { kind: "ignored", reason: `failed: ${String(error)}` };
        },
      );
      current.tail = settled.finally(() => {
        current.size--;
        if (current.size === 0 && queues.get(key) === current) queues.delete(key);
      });
      return settled;
    },
  };
}

function normaliseEntry(value: string): string {
  return value
    .trim()
    .replace(/^xmpp:/iu, "")
    .toLowerCase();
}
