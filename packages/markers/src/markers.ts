/**
 * The `markers` plugin: chat states (XEP-0085), delivery receipts (XEP-0184),
 * chat markers (XEP-0333), reactions (XEP-0444), replies (XEP-0461 with
 * XEP-0428 fallbacks), corrections (XEP-0308) and retractions (XEP-0424),
 * with XEP-0334 hints; features advertised through disco (XEP-0030).
 */
import {
  ClawXmppError,
  definePlugin,
  Emitter,
  type InboundMessage,
  type OutgoingMessage,
  type PluginContext,
  parseJid,
  parseOptions,
} from "@clawxmpp/core";
import { buildChatMarker } from "./chat-markers.js";
import { ChatStateSender } from "./chat-state-sender.js";
import { buildChatStateMessage, type ChatState } from "./chat-states.js";
import { buildCorrection } from "./corrections.js";
import { emitMarkersEvents } from "./emit-events.js";
import type { MarkersEvents } from "./markers-events.js";
import type { MarkersHandle, MarkersSendOptions } from "./markers-handle.js";
import { parseMarkersInfo } from "./markers-info.js";
import { type MarkersOptionsInput, markersOptionsSchema } from "./markers-options.js";
import {
  NS_CHAT_MARKERS,
  NS_CHAT_STATES,
  NS_CORRECTION,
  NS_FALLBACK,
  NS_REACTIONS,
  NS_RECEIPTS,
  NS_REPLY,
  NS_RETRACT,
} from "./namespaces.js";
import { decorateOutgoing } from "./outbound-decorator.js";
import { buildReactions } from "./reactions.js";
import { buildReceipt } from "./receipts.js";
import { buildReply, type ReplyTarget } from "./replies.js";
import { buildRetraction } from "./retractions.js";
import { conversationOf, targetIdFor } from "./target-id.js";

/** Reactions, markers, typing, receipts, replies, corrections and retractions. */
export const markers = definePlugin(
  "markers",
  (ctx: PluginContext, input: MarkersOptionsInput): MarkersHandle => {
    const options = parseOptions(markersOptionsSchema, input ?? {}, "markers options");
    const events = new Emitter<MarkersEvents>((error, event) =>
      ctx.logger.error(`listener for "${event}" threw`, {
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    const client = ctx.client;
    const send = (message: OutgoingMessage) => client.send(message);
    const chatStates = options.chatStates.enabled
      ? new ChatStateSender({
          clock: ctx.clock,
          logger: ctx.logger,
          online: () => client.status === "online",
          send: async (to, type, state) => {
            await send(buildChatStateMessage(to, state, type));
          },
          options: { ...options.chatStates, maxContacts: options.maxContacts },
        })
      : undefined;

    for (const feature of [
      NS_RECEIPTS,
      NS_CHAT_MARKERS,
      NS_REACTIONS,
      NS_REPLY,
      NS_FALLBACK,
      NS_CORRECTION,
      NS_RETRACT,
      ...(chatStates ? [NS_CHAT_STATES] : []),
    ]) {
      ctx.disco.addFeature(feature);
    }

    ctx.inbound.use("parse", (c) => {
      if (c.message) c.message.markers = parseMarkersInfo(c.message);
    });
    ctx.outbound.use("build", (c) => decorateOutgoing(c, options, chatStates));
    ctx.client.on("message", (message) => {
      const info = message.markers;
      if (!info) return;
      const live = message.via !== "archive" && !message.outgoing;
      if (live && info.chatState !== undefined) chatStates?.noteSupport(message.from.bare);
      if (options.receipts.answer && shouldAnswerReceipt(message)) {
        void answerReceipt(message).catch((error: unknown) =>
          ctx.logger.debug("receipt not sent", { error: String(error) }),
        );
      }
      emitMarkersEvents(events, message, info);
    });
    ctx.onStop(() => {
      chatStates?.stop();
      events.clear();
    });

    async function answerReceipt(message: InboundMessage): Promise<void> {
      const type = message.type === "normal" ? "normal" : "chat";
      await send(buildReceipt(message.from.full, message.id as string, type));
    }

    async function setChatState(
      to: string,
      state: ChatState,
      sendOptions: MarkersSendOptions = {},
    ): Promise<void> {
      if (!chatStates) return;
      const type = sendOptions.type ?? "chat";
      const jid = parseJid(to);
      await chatStates.set(type === "groupchat" ? jid.bare : jid.full, jid.bare, type, state);
    }

    function address(to: string, sendOptions: MarkersSendOptions = {}) {
      const type = sendOptions.type ?? "chat";
      const jid = parseJid(to);
      // Group chat messages go to the room itself, never to an occupant (prior-art defect P3).
      return { to: type === "groupchat" ? jid.bare : jid.full, type } as const;
    }

    function requireTarget(message: InboundMessage): string {
      const id = targetIdFor(message);
      if (id === undefined) {
        throw new ClawXmppError(
          "protocol",
          message.type === "groupchat"
            ? "[markers] the room gave this message no stanza-id (XEP-0359); it cannot be referenced"
            : "[markers] the message has no id to reference",
        );
      }
      return id;
    }

    const handle: MarkersHandle = {
      on: events.on.bind(events),
      once: events.once.bind(events),
      off: events.off.bind(events),
      composing: (to, o) => setChatState(to, "composing", o),
      paused: (to, o) => setChatState(to, "paused", o),
      active: (to, o) => setChatState(to, "active", o),
      async react(to, targetId, emojis, o) {
        const a = address(to, o);
        return send(buildReactions(a.to, targetId, emojis, a.type));
      },
      async reactTo(message, emojis) {
        const { to, type } = conversationOf(message);
        return send(buildReactions(to, requireTarget(message), emojis, type));
      },
      async markDisplayed(message) {
        return sendMarker(message, "displayed");
      },
      async markReceived(message) {
        let sent = false;
        if (message.type !== "groupchat") sent = await sendMarker(message, "received");
        if (!options.receipts.answer && shouldAnswerReceipt(message)) {
          await answerReceipt(message);
          sent = true;
        }
        return sent;
      },
      async reply(to, target, body, o) {
        const a = address(to, o);
        const reply = buildReply(a.to, target, body, {
          type: a.type,
          fallback: options.replies.fallback,
          quoteMaxLength: options.replies.quoteMaxLength,
        });
        return send(o?.thread === undefined ? reply : { ...reply, thread: o.thread });
      },
      async replyTo(message, body) {
        const { to, type } = conversationOf(message);
        const target: ReplyTarget = {
          id: requireTarget(message),
          jid: message.from.full,
          body: message.markers?.bodyWithoutFallback ?? message.body,
          name: message.type === "groupchat" ? message.from.resource : undefined,
        };
        return handle.reply(to, target, body, { type });
      },
      async correct(to, originalId, body, o) {
        const a = address(to, o);
        return send(buildCorrection(a.to, originalId, body, a.type));
      },
      async retract(to, id, o) {
        const a = address(to, o);
        return send(buildRetraction(a.to, id, options.retractions.fallbackBody, a.type));
      },
      targetIdFor,
      supportsChatStates(jid) {
        return chatStates?.supports(parseJid(jid).bare) ?? false;
      },
      stop() {
        chatStates?.stop();
      },
    };

    async function sendMarker(
      message: InboundMessage,
      marker: "received" | "displayed",
    ): Promise<boolean> {
      if (message.outgoing || !(message.markers ?? parseMarkersInfo(message)).markable)
        return false;
      const id = targetIdFor(message);
      if (id === undefined) return false;
      const { to, type } = conversationOf(message);
      await send(buildChatMarker(to, marker, id, type, message.thread));
      return true;
    }

    return handle;
  },
);

/** XEP-0184 §5.4/§8: live direct messages with an id only; never group chat, archives or our own copies. */
function shouldAnswerReceipt(message: InboundMessage): boolean {
  return (
    message.markers?.receiptRequested === true &&
    // The core answered it already (its `delivery.receipts` option).
    !message.receiptAnswered &&
    message.id !== undefined &&
    message.via === "live" &&
    !message.outgoing &&
    (message.type === "chat" || message.type === "normal")
  );
}
