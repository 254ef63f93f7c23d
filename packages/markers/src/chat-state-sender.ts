/**
 * Sending XEP-0085 chat states well (§5.1, §5.5, §8): only to contacts that
 * showed support, never the same state twice, throttled, `composing` turning
 * into `paused` by itself, and ended by the message it announced. State is
 * kept per bare JID in a bounded map.
 */
import type { Clock, Disposer, Logger } from "@clawxmpp/core";
import { BoundedMap } from "./bounded-map.js";
import type { ChatState } from "./chat-states.js";

/** What the sender needs from the plugin. */
export interface ChatStateSenderDeps {
  clock: Clock;
  logger: Logger;
  /** Sends one standalone chat state. */
  send(to: string, type: "chat" | "groupchat", state: ChatState): Promise<void>;
  /** Whether the client is online (chat states are pointless when queued). */
  online(): boolean;
  options: {
    sendTo: "supporting" | "always";
    announce: boolean;
    pausedAfter: number;
    inactiveAfter: number;
    throttle: number;
    maxContacts: number;
  };
}

interface Conversation {
  to: string;
  type: "chat" | "groupchat";
  /** Last state the contact was told. */
  sent: ChatState | undefined;
  /** State we want the contact to see. */
  desired: ChatState;
  lastSentAt: number;
  idle: Disposer | undefined;
  flush: Disposer | undefined;
}

/** Per-conversation chat state machine. */
export class ChatStateSender {
  readonly #deps: ChatStateSenderDeps;
  readonly #supporting: BoundedMap<string, true>;
  readonly #conversations: BoundedMap<string, Conversation>;

  constructor(deps: ChatStateSenderDeps) {
    this.#deps = deps;
    this.#supporting = new BoundedMap(deps.options.maxContacts);
    this.#conversations = new BoundedMap(deps.options.maxContacts, (_, conversation) =>
      cancelTimers(conversation),
    );
  }

  /** Records that `bare` (a contact or a room) sent a chat state, so it gets ours. */
  noteSupport(bare: string): void {
    this.#supporting.set(bare, true);
  }

  /** Whether standalone chat states may go to `bare`. */
  supports(bare: string): boolean {
    return this.#deps.options.sendTo === "always" || this.#supporting.has(bare);
  }

  /** Wants `state` shown in the conversation with `bare`; sends it now or when the throttle allows. */
  async set(to: string, bare: string, type: "chat" | "groupchat", state: ChatState): Promise<void> {
    if (!this.#deps.online() || !this.supports(bare)) return;
    let conversation = this.#conversations.get(bare);
    if (!conversation) {
      conversation = {
        to,
        type,
        sent: undefined,
        desired: state,
        lastSentAt: Number.NEGATIVE_INFINITY,
        idle: undefined,
        flush: undefined,
      };
      this.#conversations.set(bare, conversation);
    }
    conversation.to = to;
    conversation.type = type;
    conversation.desired = state;
    this.#armIdle(bare, conversation);
    await this.#flush(conversation);
  }

  /**
   * A message with a body is going to `bare`: it carries `active`, which ends
   * any `composing`. Returns whether to add `<active/>` to it.
   */
  onOutgoingBody(bare: string, type: "chat" | "groupchat"): boolean {
    const conversation = this.#conversations.get(bare);
    if (conversation) {
      cancelTimers(conversation);
      conversation.sent = "active";
      conversation.desired = "active";
      conversation.lastSentAt = this.#deps.clock.now();
      this.#armIdle(bare, conversation);
      return true;
    }
    return this.supports(bare) || (type === "chat" && this.#deps.options.announce);
  }

  /** Cancels every timer. */
  stop(): void {
    for (const conversation of this.#conversations.values()) cancelTimers(conversation);
    this.#conversations.clear();
  }

  async #flush(conversation: Conversation): Promise<void> {
    conversation.flush?.();
    conversation.flush = undefined;
    if (conversation.desired === conversation.sent) return;
    const wait = conversation.lastSentAt + this.#deps.options.throttle - this.#deps.clock.now();
    if (wait > 0) {
      conversation.flush = this.#deps.clock.setTimeout(() => {
        conversation.flush = undefined;
        if (!this.#deps.online()) return;
        this.#flush(conversation).catch(() => {});
      }, wait);
      return;
    }
    const state = conversation.desired;
    conversation.sent = state;
    conversation.lastSentAt = this.#deps.clock.now();
    try {
      await this.#deps.send(conversation.to, conversation.type, state);
    } catch (error) {
      this.#deps.logger.debug("chat state not sent", {
        to: conversation.to,
        state,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  #armIdle(bare: string, conversation: Conversation): void {
    conversation.idle?.();
    conversation.idle = undefined;
    const { pausedAfter, inactiveAfter } = this.#deps.options;
    const next: [ChatState, number] | undefined =
      conversation.desired === "composing"
        ? ["paused", pausedAfter]
        : conversation.desired === "paused" || conversation.desired === "active"
          ? ["inactive", inactiveAfter]
          : undefined;
    if (!next || next[1] <= 0) return;
    const [state, delay] = next;
    conversation.idle = this.#deps.clock.setTimeout(() => {
      conversation.idle = undefined;
      if (this.#conversations.get(bare) !== conversation) return;
      this.set(conversation.to, bare, conversation.type, state).catch(() => {});
    }, delay);
  }
}

function cancelTimers(conversation: Conversation): void {
  conversation.idle?.();
  conversation.flush?.();
  conversation.idle = undefined;
  conversation.flush = undefined;
}
