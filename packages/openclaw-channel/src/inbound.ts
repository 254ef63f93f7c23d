/**
 * Inbound messages → OpenClaw, through the current inbound API: the routed
 * turn (`resolveChannelInboundRouteEnvelope` + `resolveStableChannelMessageIngress`
 * + `channelRuntime.inbound.buildContext/dispatch`) for direct chats
 * (RFC 6121 §5.2.2 `chat`/`normal`) and XEP-0045 room messages alike, with
 * sender, conversation, mention flag, the answered message (XEP-0461) and
 * attachments downloaded through `@clawxmpp/upload`.
 *
 * Who may talk is decided by `@clawxmpp/policy` on real bare JIDs; paired
 * senders come from OpenClaw's own pairing store, and unknown senders under
 * `dmPolicy: pairing` get a code issued by OpenClaw's pairing controller. The
 * ingress resolver receives that decision as an exact one-entry allowlist, so
 * OpenClaw's provenance check records what the policy admitted and nothing more.
 * History, our own room echoes, signals (reactions, chat states), error
 * messages and messages addressed to another resource of our account (carbons
 * of a human's session) never reach the agent (prior-art S11, P4). A room's
 * claim about a sender's real JID counts only for trusted rooms (`muc-trust.ts`).
 * OpenClaw knows each message by the server-assigned stanza-id (`message-ids.ts`).
 * Owners are never rate limited; a throttled DM sender is told once.
 */
import { type Client, type InboundMessage, type Logger, parseJid } from "@clawxmpp/core";
import { archiveIdFor, conversationalText, type MarkersHandle } from "@clawxmpp/markers";
import {
  createRateLimiter,
  DEFAULT_RATE_LIMIT_REPLY,
  limitDecision,
  type PolicyEngine,
  rateLimitOptionsSchema,
} from "@clawxmpp/policy";
import { bodyWithoutAttachmentUrls, type UploadHandle } from "@clawxmpp/upload";
import type { ResolvedXmppAccount } from "./accounts.js";
import { addressedToUs } from "./addressing.js";
import { policyFor } from "./channel-policy.js";
import { ConversationQueues } from "./conversation-queue.js";
import { resolveInboundMedia } from "./inbound-media.js";
import { MessageIdMap, type MessageIds, messageIdsFor } from "./message-ids.js";
import { createMucTrust, type MucTrust } from "./muc-trust.js";
import { isEncrypted } from "./omemo-channel.js";
import type {
  InboundRuntime,
  OpenclawSdk,
  PairingController,
  ReplyPayload,
} from "./openclaw-sdk.js";
import type { OpenClawConfig } from "./openclaw-types.js";
import { CHANNEL_ID } from "./plugin-manifest.js";
import { deliverReply, type ReplyTarget } from "./reply-delivery.js";
import { replyThread } from "./reply-threading.js";
import { RoomHistory, type RoomHistoryEntry } from "./room-history.js";
import { roomTurnSettings } from "./room-settings.js";
import type { DeliveryKind, TurnWork, WorkStatus } from "./work-status.js";

/** Conversations with a turn queued or running; beyond this, new conversations are dropped. */
export const MAX_ACTIVE_CONVERSATIONS = 256;
/** Turns queued per conversation; beyond this, new messages are dropped. */
export const MAX_QUEUED_PER_CONVERSATION = 8;

/** A typed `/approve <id> <decision>`, handled outside the conversation queue. */
const APPROVE = /^\s*\/approve\s+\S+\s+(?:allow-once|allow-always|deny)\s*$/iu;

/** What the inbound handler needs. */
export interface InboundDeps {
  cfg: OpenClawConfig;
  accountId: string;
  account: ResolvedXmppAccount;
  client: Client;
  sdk: OpenclawSdk;
  pairing: PairingController;
  /** `ctx.channelRuntime.inbound`; nothing is dispatched without it. */
  inboundRuntime: InboundRuntime | undefined;
  markers: MarkersHandle | undefined;
  /** XEP-0363 handle: downloads attachments, uploads reply media. */
  files?: Pick<UploadHandle, "download" | "sendFile"> | undefined;
  logger: Logger;
  /** Which rooms are believed about real JIDs; default: from the account alone. */
  trust?: Pick<MucTrust, "trusts"> | undefined;
  /** Id translation shared with the actions adapter; default: a private one. */
  ids?: MessageIdMap | undefined;
  /** Called after each admitted inbound message and each reply sent (status timestamps). */
  onActivity?: (kind: "inbound" | "outbound") => void;
  /**
   * True when the agent waits for an answer in this direct chat (an `ask_user` question): the
   * next message skips the chat's queue, since the turn ahead of it is the one waiting for it.
   */
  answerWaiting?: ((conversation: string) => boolean) | undefined;
  /** Ack reaction, read marker, typing, busy presence and live replies (`work-status.ts`). */
  work?: WorkStatus | undefined;
  /** Recent room messages (context for mentions); default: a private one. */
  roomHistory?: RoomHistory | undefined;
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
  /**
   * Runs `text` (a slash command) as an owner's turn in their direct-chat session, as if they had
   * typed it; replies go to that chat and to `observe`. The caller checks command authority.
   */
  command?(
    sender: string,
    text: string,
    observe?: (payload: ReplyPayload) => void,
  ): Promise<InboundOutcome>;
}

/** One admitted message, ready to become an agent turn. */
interface Turn {
  kind: "direct" | "group";
  /** Bare JID of the peer or room. */
  conversation: string;
  /** The sender's identity: a real bare JID (or, in an open anonymous room, the occupant JID). */
  sender: string;
  senderName: string;
  commandAuthorized: boolean;
  text: string;
  /** OpenClaw's id (stanza-id) and the XMPP reference id. */
  ids: MessageIds;
  timestamp: number;
  message: InboundMessage;
  mentioned: boolean;
  requireMention: boolean;
  /** Where replies go when not to `conversation` (a room occupant, for room private messages). */
  replyAddress?: string;
  /** Recent room messages before this one. */
  history?: RoomHistoryEntry[];
  /** The room's history window (OpenClaw bounds the prompt by it). */
  historyLimit?: number;
  systemPrompt?: string | undefined;
  skills?: string[] | undefined;
  /** Also sees every reply payload (ad-hoc command results). */
  observe?: ((payload: ReplyPayload) => void) | undefined;
}

/** Creates the handler; `handle` never rejects. */
export function createInboundHandler(deps: InboundDeps): InboundHandler {
  let paired = new Set<string>();
  const policy: PolicyEngine = policyFor(deps.account, (jid) => paired.has(jid));
  const queues = new ConversationQueues({
    maxConversations: MAX_ACTIVE_CONVERSATIONS,
    maxQueued: MAX_QUEUED_PER_CONVERSATION,
  });
  const own = deps.client.account.bare;
  const trust = deps.trust ?? createMucTrust(deps.account);
  const ids = deps.ids ?? new MessageIdMap();
  const roomHistory = deps.roomHistory ?? new RoomHistory();
  const limiter =
    deps.account.rateLimit === false
      ? undefined
      : createRateLimiter(rateLimitOptionsSchema.parse(deps.account.rateLimit));
  const identity = { key: "xmpp-jid", entryIdPrefix: "xmpp-entry", normalize: normaliseEntry };

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

  /** Runs one admitted message as an agent turn; replies go back to the conversation. */
  /** Runs a turn; the work status it began (if any) ends with it, also on failure. */
  const dispatch = async (turn: Turn): Promise<InboundOutcome> => {
    const held: { work?: TurnWork | undefined } = {};
    try {
      return await dispatchTurn(turn, held);
    } finally {
      await held.work?.end();
    }
  };

  const dispatchTurn = async (
    turn: Turn,
    held: { work?: TurnWork | undefined },
  ): Promise<InboundOutcome> => {
    const inbound = deps.inboundRuntime;
    if (inbound === undefined) return { kind: "ignored", reason: "no inbound runtime" };
    deps.onActivity?.("inbound");
    const { message, conversation, sender, timestamp } = turn;
    // The user sees at once that the agent took the message up (the policy admitted it;
    // OpenClaw's own ingress check below only mirrors that decision).
    const work = deps.work?.begin({
      conversation,
      type: turn.kind === "group" ? "groupchat" : "chat",
      message,
      reference: turn.ids.reference,
      encrypted: isEncrypted(message),
    });
    held.work = work;
    const messageId = turn.ids.openclaw;
    ids.remember(conversation, turn.ids);
    const group = turn.kind === "group";
    const { route, buildEnvelope } = deps.sdk.resolveChannelInboundRouteEnvelope({
      cfg: deps.cfg,
      channel: CHANNEL_ID,
      accountId: deps.accountId,
      peer: { kind: turn.kind, id: conversation },
    });
    const access = await deps.sdk.resolveStableChannelMessageIngress({
      channelId: CHANNEL_ID,
      accountId: deps.accountId,
      identity,
      cfg: deps.cfg,
      subject: { stableId: sender },
      conversation: { kind: turn.kind, id: conversation },
      contextBinding: {
        agentId: route.agentId,
        sessionKey: route.sessionKey,
        messageId,
        inboundEventKind: "user_request",
      },
      // The policy decided; OpenClaw records exactly that admission.
      ...(group
        ? {
            dmPolicy: "disabled",
            groupPolicy: "allowlist",
            allowFrom: [],
            groupAllowFrom: [sender],
            policy: {
              activation: { requireMention: turn.requireMention, allowTextCommands: false },
            },
            mentionFacts: {
              canDetectMention: true,
              wasMentioned: turn.mentioned,
              hasAnyMention: turn.mentioned,
            },
          }
        : { dmPolicy: "allowlist", groupPolicy: "disabled", allowFrom: [sender] }),
      command: false,
    });
    if (access.ingress.admission !== "dispatch") {
      return { kind: "denied", reason: `ingress ${access.ingress.admission}` };
    }

    // Attachments are fetched only now, for an admitted sender.
    const attachments = message.attachments ?? [];
    const media = await resolveInboundMedia(attachments, messageId, {
      files: deps.files,
      sdk: deps.sdk,
      maxBytes: deps.account.mediaMaxBytes,
      logger: deps.logger,
    });
    const text = [turn.text, ...media.failures].filter((part) => part !== "").join("\n");
    const facts =
      media.inputs.length === 0
        ? undefined
        : (deps.sdk.toInboundMediaFacts?.(media.inputs) ?? media.inputs);
    const replyTo = message.markers?.replyTo;
    const label = group ? conversation : sender;
    const ctxPayload = await inbound.buildContext({
      channel: CHANNEL_ID,
      accountId: route.accountId ?? deps.accountId,
      messageId,
      messageIdFull: messageId,
      timestamp,
      from: `${CHANNEL_ID}:${sender}`,
      sender: { id: sender, name: turn.senderName },
      conversation: {
        kind: turn.kind,
        id: conversation,
        routePeer: { kind: turn.kind, id: conversation },
        label,
      },
      route: {
        agentId: route.agentId,
        accountId: route.accountId,
        routeSessionKey: route.sessionKey,
        dispatchSessionKey: route.sessionKey,
      },
      reply: group
        ? { to: `${CHANNEL_ID}:${conversation}`, originatingTo: `${CHANNEL_ID}:${conversation}` }
        : { to: `${CHANNEL_ID}:${own}`, originatingTo: `${CHANNEL_ID}:${sender}` },
      ...(turn.historyLimit === undefined
        ? {}
        : { sessionTranscript: { historyLimit: turn.historyLimit, historyKind: "recent" } }),
      message: {
        ...(turn.history === undefined || turn.history.length === 0
          ? {}
          : { inboundHistory: turn.history }),
        body: buildEnvelope({
          channel: "XMPP",
          from: group ? `${turn.senderName} in ${conversation}` : sender,
          body: text,
          timestamp,
        }),
        bodyForAgent: text === "" ? "" : forAgent(text),
        rawBody: text,
        commandBody: text,
      },
      access: {
        commands: { authorized: turn.commandAuthorized },
        ...(group ? { mentions: { canDetectMention: true, wasMentioned: turn.mentioned } } : {}),
      },
      ...(facts === undefined ? {} : { media: facts }),
      // The operator's per-room prompt: trusted, so it may enter the system prompt.
      ...(turn.systemPrompt === undefined
        ? {}
        : { supplemental: { groupSystemPrompt: turn.systemPrompt } }),
      channelIngress: access,
      extra: {
        OriginatingChannel: CHANNEL_ID,
        ...(group ? { GroupSubject: conversation } : { NativeDirectUserId: sender }),
        // XEP-0461: the message this one answers, by OpenClaw's id when we know it.
        ...(replyTo === undefined
          ? {}
          : {
              ReplyToId: ids.openclawIdOf(conversation, replyTo.id) ?? replyTo.id,
              ...(replyTo.jid === undefined ? {} : { ReplyToSender: replyTo.jid.bare }),
            }),
      },
    });
    const thread = replyThread(message.thread);
    const target: ReplyTarget = {
      to: turn.replyAddress ?? conversation,
      type: group ? "groupchat" : "chat",
      messageId,
      ...(isEncrypted(message) ? { encrypted: true } : {}),
      ...(thread === undefined ? {} : { thread }),
      replyToMode: group ? deps.account.replyToMode.group : deps.account.replyToMode.direct,
      ...(turn.ids.reference === undefined
        ? {}
        : {
            answered: {
              id: turn.ids.reference,
              jid: message.from.full,
              body: turn.text,
              // In a room the quote names who wrote it ("alice wrote:").
              ...(group && message.muc?.nick !== undefined ? { name: message.muc.nick } : {}),
            },
          }),
    };
    const pipeline = deps.sdk.createChannelReplyPipeline?.({
      cfg: deps.cfg,
      agentId: route.agentId,
      channel: CHANNEL_ID,
      accountId: route.accountId ?? deps.accountId,
    });
    const { onModelSelected, ...replyPipeline } = pipeline ?? {};
    const replyOptions = {
      ...work?.replyOptions,
      ...(onModelSelected === undefined ? {} : { onModelSelected }),
      // groupSettings.<room>.skills: only these skills are loaded for the turn.
      ...(turn.skills === undefined ? {} : { skillFilter: [...turn.skills] }),
    };
    await inbound.dispatch({
      cfg: deps.cfg,
      channel: CHANNEL_ID,
      accountId: route.accountId ?? deps.accountId,
      route: { agentId: route.agentId, sessionKey: route.sessionKey },
      ctxPayload,
      record: {
        onRecordError: (error: unknown) =>
          deps.logger.warn("could not record the inbound session", { error: String(error) }),
      },
      delivery: {
        deliver: async (payload: ReplyPayload, info?: { kind?: DeliveryKind }) => {
          turn.observe?.(payload);
          const taken = await work?.take(payload, info?.kind);
          const delivered = await deliverReply(taken?.rest ?? payload, target, {
            client: deps.client,
            markers: deps.markers,
            files: deps.files,
            sdk: deps.sdk,
            cfg: deps.cfg,
            agentId: route.agentId,
            maxBytes: deps.account.mediaMaxBytes,
          });
          const sent = delivered || taken?.sent === true;
          if (sent) deps.onActivity?.("outbound");
          return { visibleReplySent: sent };
        },
        onError: (error: unknown) => deps.logger.warn("reply failed", { error: String(error) }),
      },
      dispatcherOptions: {
        // XEP-0085: the peer or room sees the agent working.
        onReplyStart: async () => {
          await deps.markers?.composing(target.to, { type: target.type }).catch(() => undefined);
        },
      },
      ...(pipeline === undefined ? {} : { replyPipeline }),
      ...(Object.keys(replyOptions).length === 0 ? {} : { replyOptions }),
    });
    return { kind: "dispatched", conversation };
  };

  /**
   * A direct chat; for a room private message, `via` names the sender's real
   * bare JID (who the policy decides on) and the occupant JID replies go to.
   */
  const direct = async (
    message: InboundMessage,
    text: string,
    via?: { sender: string; address: string },
  ): Promise<InboundOutcome> => {
    const from = via?.sender ?? message.from.bare;
    const address = via?.address ?? from;
    await refreshPaired();
    const event = { kind: "dm", from } as const;
    const decision = limitDecision(limiter, event, policy.decide(event));
    if (decision.throttled !== undefined) {
      if (decision.throttled === "first") {
        deps.logger.info("sender rate limited; dropping their messages until it refills", {
          sender: from,
        });
        await deps.client
          .send({ to: address, type: "chat", body: DEFAULT_RATE_LIMIT_REPLY })
          .catch((error: unknown) =>
            deps.logger.warn("could not send the rate limit notice", { error: String(error) }),
          );
      }
      return { kind: "denied", reason: decision.reason };
    }
    if (decision.action === "pair") {
      const result = await deps.pairing.issueChallenge({
        senderId: from,
        senderIdLine: `Your XMPP address: ${from}`,
        meta: { jid: from },
        sendPairingReply: async (reply) => {
          await deps.client.send({ to: address, type: "chat", body: reply });
        },
        onReplyError: (error) =>
          deps.logger.warn("could not send the pairing code", { error: String(error) }),
      });
      return { kind: "pairing", created: result.created };
    }
    if (decision.action !== "allow") return { kind: "denied", reason: decision.reason };
    return dispatch({
      kind: "direct",
      conversation: from,
      sender: from,
      senderName: from,
      commandAuthorized: decision.sender === "owner",
      text,
      ids: messageIdsFor(
        archiveIdFor(message, own),
        deps.markers?.targetIdFor(message) ?? message.id,
      ),
      timestamp: (message.delay?.stamp ?? new Date()).getTime(),
      message,
      mentioned: false,
      requireMention: false,
      ...(via === undefined ? {} : { replyAddress: address }),
    });
  };

  /**
   * XEP-0045 §7.5 private message through a room: a direct chat from the
   * sender's real JID when the room is trusted to tell it, else nobody's.
   */
  const roomPrivate = async (message: InboundMessage, text: string): Promise<InboundOutcome> => {
    const info = message.muc!;
    if (deps.account.roomPrivateMessages === "off") {
      return { kind: "ignored", reason: "room private message (roomPrivateMessages off)" };
    }
    if (!trust.trusts(info.room)) {
      return { kind: "denied", reason: "room private message from an untrusted room" };
    }
    if (info.realJid === undefined) {
      return { kind: "denied", reason: "room private message without a real JID" };
    }
    return direct(message, text, { sender: info.realJid, address: message.from.full });
  };

  const room = async (
    message: InboundMessage,
    text: string,
    seq: number | undefined,
  ): Promise<InboundOutcome> => {
    const info = message.muc!;
    const event = {
      kind: "group",
      room: info.room,
      // A real JID is the room service's claim: believed only for trusted rooms.
      realJid: trust.trusts(info.room) ? info.realJid : undefined,
      mentioned: info.mentioned,
      occupant: message.from.full,
    } as const;
    const decision = limitDecision(limiter, event, policy.decide(event));
    if (decision.throttled === "first") {
      // Not told in the room: a notice there would be noise for everyone else.
      deps.logger.info("room sender rate limited; dropping their messages until it refills", {
        room: info.room,
        sender: decision.jid ?? message.from.full,
      });
    }
    if (decision.action !== "allow") return { kind: "denied", reason: decision.reason };
    // Under groupPolicy "open" in a room hiding real JIDs, the occupant JID is all there is;
    // it never carries authority (command authorisation needs an owner's real JID).
    const sender = decision.jid ?? message.from.full;
    const settings = roomTurnSettings(deps.account, info.room);
    return dispatch({
      kind: "group",
      conversation: info.room,
      sender,
      senderName: info.nick ?? sender,
      commandAuthorized: decision.sender === "owner",
      text,
      // The room's stanza-id is both OpenClaw's id and the reference (XEP-0359 §4).
      ids: messageIdsFor(info.roomStanzaId, info.roomStanzaId),
      timestamp: (message.delay?.stamp ?? new Date()).getTime(),
      message,
      mentioned: info.mentioned,
      requireMention: policy.roomSettings(info.room).requireMention,
      historyLimit: settings.historyLimit,
      history: seq === undefined ? [] : roomHistory.before(info.room, seq, settings.historyLimit),
      systemPrompt: settings.systemPrompt,
      skills: settings.skills,
    });
  };

  const process = async (
    message: InboundMessage,
    seq: number | undefined,
  ): Promise<InboundOutcome> => {
    // Our own carbons, errors, headlines and bare signals (reactions, chat states…) are not input.
    const said = conversationalText(message);
    if (said === undefined) {
      return { kind: "ignored", reason: `not conversational (${message.type})` };
    }
    const account = {
      account: deps.client.account,
      session: deps.client.jid,
      resource: deps.account.resource,
    };
    if (!addressedToUs(message, account)) {
      return { kind: "ignored", reason: `addressed to ${message.to?.full}, not to this session` };
    }
    const attachments = message.attachments ?? [];
    const text = bodyWithoutAttachmentUrls(said, attachments);
    if (!text && attachments.length === 0) return { kind: "ignored", reason: "no body" };
    const info = message.muc;
    if (info !== undefined) {
      if (info.isHistory) return { kind: "ignored", reason: "room history" };
      if (info.isPrivate) return roomPrivate(message, text);
      if (info.isOwn) return { kind: "ignored", reason: "own room echo" };
      return room(message, text, seq);
    }
    if (message.type === "groupchat") return { kind: "ignored", reason: "not a joined room" };
    if (message.from.bare === own) return { kind: "ignored", reason: "from own account" };
    return direct(message, text);
  };

  return {
    command(sender, text, observe) {
      const from = parseJid(sender);
      // An owner's command (an answer by reaction or form among them) passes the chat's queue.
      return queues.pass(from.bare, () =>
        dispatch({
          kind: "direct",
          conversation: from.bare,
          sender: from.bare,
          senderName: from.bare,
          commandAuthorized: true,
          text,
          ids: messageIdsFor(undefined, undefined),
          timestamp: Date.now(),
          message: { from, attachments: [] } as unknown as InboundMessage,
          mentioned: false,
          requireMention: false,
          observe,
        }),
      );
    },
    handle(message) {
      const failed = (error: unknown): InboundOutcome => {
        deps.logger.warn("inbound message failed", { error: String(error) });
        return { kind: "ignored", reason: `failed: ${String(error)}` };
      };
      // An exec approval or a question's answer must not wait behind the turn that waits for it.
      if (
        message.muc === undefined &&
        (APPROVE.test(message.body ?? "") || deps.answerWaiting?.(message.from.bare) === true)
      ) {
        return queues.pass(message.from.bare, () => process(message, undefined)).catch(failed);
      }
      // Recorded on arrival, before any queue can drop it: context for later mentions.
      const seq = recordRoomMessage(roomHistory, message);
      const run = queues.enqueue(message.muc?.room ?? message.from.bare, () =>
        process(message, seq),
      );
      if (typeof run === "string") return Promise.resolve({ kind: "ignored", reason: run });
      return run.catch(failed);
    },
  };
}

/** Remembers a room message with text (not private, not a signal); its history position. */
function recordRoomMessage(history: RoomHistory, message: InboundMessage): number | undefined {
  const info = message.muc;
  if (info === undefined || info.isPrivate || message.type !== "groupchat") return undefined;
  if (info.nick === undefined) return undefined;
  const body = conversationalText(message);
  if (body === undefined || body === "") return undefined;
  return history.record(info.room, {
    sender: info.nick,
    body,
    timestamp: (message.delay?.stamp ?? new Date()).getTime(),
    ...(info.roomStanzaId === undefined ? {} : { messageId: info.roomStanzaId }),
  });
}

function normaliseEntry(value: string): string {
  return value
    .trim()
    .replace(/^xmpp:/iu, "")
    .toLowerCase();
}
