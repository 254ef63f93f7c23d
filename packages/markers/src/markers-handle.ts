/**
 * The handle the `markers` plugin returns: sending chat states (XEP-0085),
 * reactions (XEP-0444), markers and receipts (XEP-0333, XEP-0184), replies
 * (XEP-0461), corrections (XEP-0308) and retractions (XEP-0424), plus its events.
 */
import type { Events, InboundMessage, PluginHandle } from "@clawxmpp/core";
import type { MarkersEvents } from "./markers-events.js";
import type { ReplyTarget } from "./replies.js";

/** Where to send: `chat` (default) or `groupchat` for a room's bare JID. */
export interface MarkersSendOptions {
  /** @default "chat" */
  type?: "chat" | "groupchat";
  /** XEP-0201 thread the message belongs to (replies only). */
  thread?: string;
}

/** What `client.use(markers, options)` returns. */
export interface MarkersHandle extends PluginHandle, Events<MarkersEvents> {
  /** XEP-0085: show "typing" to `to` (turns into `paused` by itself; ended by the next message sent). */
  composing(to: string, options?: MarkersSendOptions): Promise<void>;
  /** XEP-0085: show "stopped typing". */
  paused(to: string, options?: MarkersSendOptions): Promise<void>;
  /** XEP-0085: show "active" (e.g. typing abandoned without sending). */
  active(to: string, options?: MarkersSendOptions): Promise<void>;
  /** XEP-0444: sets our reactions to `targetId` to exactly `emojis` (empty removes them). */
  react(
    to: string,
    targetId: string,
    emojis: readonly string[],
    options?: MarkersSendOptions,
  ): Promise<{ id: string }>;
  /** XEP-0444: sets our reactions to `message`, with the right id and address. */
  reactTo(message: InboundMessage, emojis: readonly string[]): Promise<{ id: string }>;
  /** XEP-0333: sends `displayed` when the sender asked for markers; resolves whether one was sent. */
  markDisplayed(message: InboundMessage): Promise<boolean>;
  /**
   * XEP-0333 `received` (1:1 only) when the sender asked for markers, plus the
   * XEP-0184 receipt when requested and not answered automatically.
   */
  markReceived(message: InboundMessage): Promise<boolean>;
  /** XEP-0461: replies to `target` with `body`, quoting the target's text as fallback. */
  reply(
    to: string,
    target: ReplyTarget,
    body: string,
    options?: MarkersSendOptions,
  ): Promise<{ id: string }>;
  /** XEP-0461: replies to `message` in its conversation. */
  replyTo(message: InboundMessage, body: string): Promise<{ id: string }>;
  /** XEP-0308: replaces the text of our message `originalId` (its `id`, in rooms too). */
  correct(
    to: string,
    originalId: string,
    body: string,
    options?: MarkersSendOptions,
  ): Promise<{ id: string }>;
  /** XEP-0424: retracts our message `id` (origin-id in 1:1, the room's stanza-id in a room). */
  retract(to: string, id: string, options?: MarkersSendOptions): Promise<{ id: string }>;
  /** The id to reference `message` by in reactions, replies, markers and retractions. */
  targetIdFor(message: InboundMessage): string | undefined;
  /** Whether standalone chat states may be sent to `jid` (it sent one, or `sendTo: "always"`). */
  supportsChatStates(jid: string): boolean;
}
