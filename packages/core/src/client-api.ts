/**
 * The client's public shape, apart from its implementation: its events and
 * the narrower view plugins get (`PluginClient`). The plugin contract imports
 * these types only, never the implementation; what apps hold (`Client`) is in
 * `client-handle.ts`, on top of both.
 */
import type { EventMap, Events } from "./emitter.js";
import type { StanzaError } from "./errors.js";
import type { Jid } from "./jid.js";
import type { InboundMessage, OutgoingMessage } from "./stanza/message.js";
import type { InboundPresence } from "./stanza/presence.js";
import type { LoginInfo } from "./transport.js";
import type { Element } from "./xml.js";

/** Connection status. */
export type ClientStatus = "idle" | "connecting" | "online" | "reconnecting" | "stopped";

/** Details of a session coming online. */
export interface OnlineInfo {
  /** Full JID bound (or resumed). */
  jid: string;
  /** True when an XEP-0198 session was resumed: nothing was lost, no new login state. */
  resumed: boolean;
}

/** Details of a session going offline. */
export interface OfflineInfo {
  error: Error | undefined;
  /** A reconnect is scheduled. */
  willReconnect: boolean;
  /** Delay until the next attempt, when one is scheduled. */
  retryIn: number | undefined;
}

/** A presence subscription request (RFC 6121 §3.1) for the consumer's policy to decide. */
export interface SubscriptionRequest {
  /** The requester's bare JID. */
  from: Jid;
  presence: InboundPresence;
}

/** A message bounced with `type="error"`: never surfaced as a normal message. */
export interface Bounce {
  /** Id of our message that bounced, when given. */
  id: string | undefined;
  from: string | undefined;
  error: StanzaError;
}

/** Events of the client. */
export interface ClientEvents extends EventMap {
  online: [OnlineInfo];
  offline: [OfflineInfo];
  status: [ClientStatus];
  message: [InboundMessage];
  presence: [InboundPresence];
  subscription: [SubscriptionRequest];
  bounce: [Bounce];
  /** An archive catch-up (XEP-0313) finished; `fetched` messages were handed over before this. */
  caughtUp: [{ fetched: number }];
  error: [Error];
}

/** Counters for status and probes. */
export interface ClientStats {
  /** Connections opened (new sessions, not resumptions). */
  connects: number;
  resumes: number;
  reconnectAttempts: number;
  lastError: Error | undefined;
  /** SASL mechanism of the last login. */
  mechanism: string | undefined;
  /** How the last login went (SASL1/SASL2, mechanism, channel binding, FAST), when the transport tells. */
  login?: LoginInfo | undefined;
  /** Stanzas not yet confirmed by the server. */
  queued: number;
}

/** Options of `sendStanza`. */
export interface SendStanzaOptions {
  /**
   * Session setup: written before the application's backlog, never refused for `queue-full`, and
   * dropped (the promise rejects with `connection`) when the current session ends first.
   */
  setup?: boolean;
}

/** What plugins may do with the client: everything but starting, stopping and composing it. */
export interface PluginClient extends Events<ClientEvents> {
  /** `client` for an account's session; `component` for an XEP-0114 component. */
  readonly kind: "client" | "component";
  /** Connection status. */
  readonly status: ClientStatus;
  /** The bound full JID, once online. */
  readonly jid: Jid | undefined;
  /** The account's bare JID (a component's domain), known from the options. */
  readonly account: Jid;
  /** Counters for status reporting. */
  readonly stats: Readonly<ClientStats>;
  /** Sends a message; resolves with the id it went out with, once the server acked it (XEP-0198). */
  send(message: OutgoingMessage): Promise<{ id: string }>;
  /** Sends any stanza through the outbound stages and the queue. */
  sendStanza(stanza: Element, options?: SendStanzaOptions): Promise<void>;
  /** Sends a presence (initial presence is sent automatically, with caps). */
  sendPresence(attrs?: { type?: string; to?: string }, ...children: Element[]): Promise<void>;
  /** Approves a presence subscription request and subscribes back. */
  approveSubscription(jid: string): Promise<void>;
  /** Denies (or revokes) a presence subscription. */
  denySubscription(jid: string): Promise<void>;
}
