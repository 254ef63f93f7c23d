/**
 * The client: one logical XMPP session that outlives sockets. It connects,
 * resumes (XEP-0198) or reconnects with backoff, queues sends while offline,
 * runs the stanza pipeline and hosts plugins.
 */
import { randomBytes } from "node:crypto";
import { ArchiveCatchUp, memoryCursor } from "./archive.js";
import { backoffDelay } from "./backoff.js";
import { registerBuiltinResponders } from "./builtin-responders.js";
import { type Clock, systemClock, TimerGroup } from "./clock.js";
import { xmppTransport } from "./connection/xmpp-transport.js";
import { Disco } from "./disco.js";
import { type Disposer, Emitter, type EventMap, type Events } from "./emitter.js";
import { ClawXmppError, StanzaError } from "./errors.js";
import { InboundGuard } from "./guard.js";
import { type IqCaller, IqRouter } from "./iq.js";
import { type Jid, parseJid, tryParseJid } from "./jid.js";
import { Keepalive } from "./keepalive.js";
import { type Logger, silentLogger } from "./logger.js";
import { type ClientOptions, clientOptionsSchema, type ResolvedClientOptions } from "./options.js";
import { parseOptions } from "./options-util.js";
import { OutboundQueue } from "./outbound-queue.js";
import {
  INBOUND_STAGES,
  type InboundContext,
  type InboundStage,
  OUTBOUND_STAGES,
  type OutboundContext,
  type OutboundStage,
  Pipeline,
} from "./pipeline.js";
import type { Plugin, PluginHandle } from "./plugin.js";
import { hostPlugin } from "./plugin-host.js";
import {
  buildMessage,
  type InboundMessage,
  type OutgoingMessage,
  parseMessage,
} from "./stanza/message.js";
import { type InboundPresence, parsePresence } from "./stanza/presence.js";
import { NS_SM, StreamManagementState } from "./stream-management.js";
import type { OpenResult, Transport } from "./transport.js";
import { type Element, xml } from "./xml.js";

const NS_CARBONS = "urn:xmpp:carbons:2";

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
  /** Stanzas not yet confirmed by the server. */
  queued: number;
}

/** A started or startable client. */
export interface Client extends Events<ClientEvents> {
  /** Connection status. */
  readonly status: ClientStatus;
  /** The bound full JID, once online. */
  readonly jid: Jid | undefined;
  /** The account's bare JID, known from the options. */
  readonly account: Jid;
  /** Counters for status reporting. */
  readonly stats: Readonly<ClientStats>;
  /** IQ requests with timeouts; answers are matched by id and sender (for apps; plugins use `ctx.iq`). */
  readonly iq: IqCaller;
  /** Connects; resolves when online. Rejects with the first attempt's error (see `retryInitialConnect`). */
  start(options?: { retryInitialConnect?: boolean }): Promise<OnlineInfo>;
  /** Stops plugins, closes the stream and releases every socket, timer and listener. */
  stop(): Promise<void>;
  /** Sends a message; resolves with its id once the server acked it (or it was written, without XEP-0198). */
  send(message: OutgoingMessage): Promise<{ id: string }>;
  /** Sends any stanza through the outbound stages and the queue. */
  sendStanza(stanza: Element): Promise<void>;
  /** Adds a plugin; the handle is stopped with the client. */
  use<Options, Handle extends PluginHandle>(
    plugin: Plugin<Options, Handle>,
    options: Options,
  ): Handle;
  /** Sends a presence (initial presence is sent automatically, with caps). */
  sendPresence(attrs?: { type?: string; to?: string }, ...children: Element[]): Promise<void>;
  /** Approves a presence subscription request and subscribes back. */
  approveSubscription(jid: string): Promise<void>;
  /** Denies (or revokes) a presence subscription. */
  denySubscription(jid: string): Promise<void>;
  /** Drops the socket as if the network failed (tests, health checks). */
  dropConnection(): void;
}

/** Creates a client. Nothing happens until `start()`. Throws a ConfigError naming bad fields. */
export function createClient(options: ClientOptions): Client {
  return new ClientImpl(parseOptions(clientOptionsSchema, options, "client options"));
}

class ClientImpl extends Emitter<ClientEvents> implements Client {
  readonly #options: ResolvedClientOptions;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #timers: TimerGroup;
  readonly #inbound = new Pipeline<InboundStage, InboundContext>(INBOUND_STAGES);
  readonly #outbound = new Pipeline<OutboundStage, OutboundContext>(OUTBOUND_STAGES);
  readonly #iq: IqRouter;
  readonly #disco: Disco;
  readonly #queue: OutboundQueue;
  readonly #guard: InboundGuard;
  readonly #keepalive: Keepalive;
  readonly #archive: ArchiveCatchUp | undefined;
  readonly #plugins = new Map<string, () => Promise<void>>();
  readonly #resource: string;
  readonly #account: Jid;
  #status: ClientStatus = "idle";
  #transport: Transport | undefined;
  /** The transport of the established session (set once open() succeeded). */
  #live: Transport | undefined;
  #jid: Jid | undefined;
  readonly #sm = new StreamManagementState();
  #attempt = 0;
  #cancelRetry: Disposer | undefined;
  #cancelStable: Disposer | undefined;
  #ackTimer: Disposer | undefined;
  #stats: ClientStats = {
    connects: 0,
    resumes: 0,
    reconnectAttempts: 0,
    lastError: undefined,
    mechanism: undefined,
    queued: 0,
  };
  #inboundChain: Promise<void> = Promise.resolve();

  constructor(options: ResolvedClientOptions) {
    super((error, event) => this.#logger.error(`listener for "${event}" threw`, { error }));
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#timers = new TimerGroup(this.#clock);
    this.#account = parseJid(parseJid(options.jid).bare);
    this.#resource = options.resource ?? `clawxmpp-${randomBytes(4).toString("hex")}`;
    this.#iq = new IqRouter({
      send: (stanza) => this.sendStanza(stanza),
      defaultTimeout: () => options.timeouts.iq,
      ownJid: () => this.#jid?.full,
      schedule: (fn, ms) => this.#timers.setTimeout(fn, ms),
    });
    this.#disco = new Disco(() => this.#onCapsChanged());
    this.#queue = new OutboundQueue({
      maxSize: options.queueSize,
      write: (elements) => this.#write(elements),
      requestAck: () => this.#requestAck(),
    });
    this.#archive = options.archive.catchUp
      ? new ArchiveCatchUp({
          iq: this.#iq,
          store: options.archive.cursor ?? memoryCursor(),
          logger: this.#logger,
          maxMessages: options.archive.maxMessages,
          pageSize: options.archive.pageSize,
          now: () => this.#clock.now(),
        })
      : undefined;
    this.#guard = new InboundGuard({
      account: () => this.#account,
      ownFullJid: () => this.#jid?.full,
      logger: this.#logger,
      isOurArchiveQuery: (queryid) => this.#archive?.isOurQuery(queryid) ?? false,
      isArchiveProbe: (queryid) => this.#archive?.isProbe(queryid) ?? false,
    });
    this.#keepalive = new Keepalive({
      clock: this.#clock,
      ping: () =>
        this.#iq.get(xml("ping", { xmlns: "urn:xmpp:ping" }), undefined, {
          timeout: options.keepalive.timeout,
        }),
      dead: () => {
        this.#logger.warn("keepalive: no answer to ping; treating the connection as dead");
        this.#transport?.destroy();
      },
      interval: options.keepalive.interval,
    });
    registerBuiltinResponders(
      { iq: this.#iq, disco: this.#disco, clock: this.#clock },
      options.software,
    );
    this.#inbound.use("guard", (ctx) => this.#guard.run(ctx));
  }

  get status(): ClientStatus {
    return this.#status;
  }
  get jid(): Jid | undefined {
    return this.#jid;
  }
  get account(): Jid {
    return this.#account;
  }
  get iq(): IqCaller {
    return this.#iq;
  }
  get stats(): Readonly<ClientStats> {
    return { ...this.#stats, queued: this.#queue.size };
  }

  #isStopped(): boolean {
    return this.#status === "stopped";
  }

  #setStatus(status: ClientStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.emit("status", status);
  }

  // ---- lifecycle -------------------------------------------------------------------------

  async start(options: { retryInitialConnect?: boolean } = {}): Promise<OnlineInfo> {
    if (this.#status === "stopped")
      throw new ClawXmppError("stopped", "client was stopped; create a new one");
    if (this.#status !== "idle")
      throw new ClawXmppError("connection", `start() called while ${this.#status}`);
    this.#setStatus("connecting");
    await this.#archive?.load();
    for (;;) {
      try {
        return await this.#connect();
      } catch (error) {
        const err = toError(error);
        this.#stats.lastError = err;
        const terminal = ClawXmppError.isInstance(err) && err.terminal;
        if (this.#isStopped()) throw err;
        if (terminal || !options.retryInitialConnect || !this.#options.reconnect.enabled) {
          this.#setStatus("idle");
          throw err;
        }
        const delay = this.#nextDelay();
        this.#logger.warn("initial connect failed; retrying", {
          error: err.message,
          retryIn: delay,
        });
        await new Promise<void>((resolve) => {
          this.#cancelRetry = this.#timers.setTimeout(resolve, delay);
        });
        if (this.#isStopped()) throw new ClawXmppError("stopped", "client was stopped");
      }
    }
  }

  async #connect(): Promise<OnlineInfo> {
    const options = this.#options;
    const transport = (options.transport ?? xmppTransport)({
      jid: this.#account.bare,
      password: options.password,
      host: options.server ?? this.#account.domain,
      port: options.port ?? (options.tls.mode === "direct" ? 5223 : 5222),
      domain: this.#account.domain,
      tls: options.tls,
      timeouts: options.timeouts,
      listener: {
        element: (element) => {
          if (this.#transport === transport) this.#onElement(element);
        },
        closed: (error) => {
          closed = true;
          // A failed login is reported by open() rejecting; only an established session goes offline here.
          if (this.#live === transport) this.#onClosed(error);
        },
      },
    });
    let closed = false;
    this.#transport = transport;
    const resume = this.#sm.resumeRequest();
    let result: OpenResult;
    try {
      result = await transport.open({
        resource: this.#resource,
        enableStreamManagement: true,
        resume,
      });
    } catch (error) {
      if (this.#transport === transport) this.#transport = undefined;
      throw error;
    }
    if (this.#status === "stopped") {
      transport.destroy();
      throw new ClawXmppError("stopped", "client was stopped");
    }
    if (closed) {
      if (this.#transport === transport) this.#transport = undefined;
      throw new ClawXmppError("connection", "connection lost right after login");
    }
    this.#live = transport;
    return this.#online(result);
  }

  async #online(result: OpenResult): Promise<OnlineInfo> {
    if (!result.resumed) this.#jid = tryParseJid(result.jid) ?? this.#jid;
    this.#stats.mechanism = result.mechanism;
    if (result.resumed) {
      this.#stats.resumes++;
    } else {
      this.#stats.connects++;
      // With XEP-0198 the state was set when <enabled/> arrived, in stream order.
      if (result.streamManagement === undefined) this.#sm.reset();
      this.#guard.newSession();
      this.#iq.sessionLost();
    }
    this.#setStatus("online");
    this.#cancelStable?.();
    this.#cancelStable = this.#timers.setTimeout(() => {
      this.#attempt = 0;
    }, this.#options.reconnect.stableAfter);
    this.#keepalive.start();
    const info: OnlineInfo = { jid: this.#jid?.full ?? result.jid, resumed: result.resumed };
    if (!result.resumed) {
      // Presence and carbons belong to a new session; a resumed one still has them.
      void this.sendPresence().catch(() => {});
      if (this.#options.carbons) {
        void this.#iq.set(xml("enable", { xmlns: NS_CARBONS })).catch((error: unknown) => {
          // A lost connection retries on the next session; anything else is worth a warning.
          const lost = ClawXmppError.isInstance(error) && error.code === "connection";
          this.#logger[lost ? "debug" : "warn"]("could not enable carbons", {
            error: toError(error).message,
          });
        });
      }
    }
    void this.#queue.online({
      smEnabled: this.#sm.enabled,
      resumed: result.resumed,
      resumeFailed: result.resumeFailed,
      ackedByServer: result.ackedByServer,
    });
    if (!result.resumed && this.#archive) {
      const locating = !this.#archive.hasCursor();
      const catchingUp = this.#archive.catchUp().then(
        (fetched) => this.emit("caughtUp", { fetched }),
        (error: unknown) =>
          this.#logger.warn("archive catch-up failed", { error: toError(error).message }),
      );
      // The very first session learns where the archive ends before anyone can send to us.
      if (locating) await catchingUp;
    }
    this.emit("online", info);
    return info;
  }

  #onClosed(error: Error | undefined): void {
    this.#transport = undefined;
    this.#live = undefined;
    this.#keepalive.stop();
    this.#cancelStable?.();
    this.#ackTimer?.();
    this.#ackTimer = undefined;
    this.#queue.offline();
    if (error) this.#stats.lastError = error;
    if (this.#status === "stopped" || this.#status === "idle" || this.#status === "connecting")
      return;
    const terminal = ClawXmppError.isInstance(error) && error.terminal;
    const willReconnect = this.#options.reconnect.enabled && !terminal;
    const retryIn = willReconnect ? this.#nextDelay() : undefined;
    this.#setStatus(willReconnect ? "reconnecting" : "idle");
    this.emit("offline", { error, willReconnect, retryIn });
    if (retryIn !== undefined) this.#scheduleReconnect(retryIn);
  }

  #nextDelay(): number {
    const delay = backoffDelay(this.#options.reconnect, this.#attempt);
    this.#attempt++;
    return delay;
  }

  #scheduleReconnect(delay: number): void {
    this.#cancelRetry = this.#timers.setTimeout(() => {
      this.#cancelRetry = undefined;
      if (this.#status !== "reconnecting") return;
      this.#stats.reconnectAttempts++;
      this.#connect().catch((error: unknown) => {
        const err = toError(error);
        this.#stats.lastError = err;
        if (this.#status !== "reconnecting") return;
        const terminal = ClawXmppError.isInstance(err) && err.terminal;
        if (terminal) {
          this.#setStatus("idle");
          this.emit("offline", { error: err, willReconnect: false, retryIn: undefined });
          this.emit("error", err);
          return;
        }
        const next = this.#nextDelay();
        this.#logger.info("reconnect failed", { error: err.message, retryIn: next });
        this.emit("offline", { error: err, willReconnect: true, retryIn: next });
        this.#scheduleReconnect(next);
      });
    }, delay);
  }

  async stop(): Promise<void> {
    if (this.#status === "stopped") return;
    const wasOnline = this.#status === "online";
    if (wasOnline && this.#queue.size > 0) {
      // Let the server confirm what it already has, so those sends resolve instead of failing.
      this.#requestAck();
      await this.#queue.settled(2_000);
    }
    this.#setStatus("stopped");
    this.#cancelRetry?.();
    for (const stopPlugin of [...this.#plugins.values()].reverse()) {
      await stopPlugin().catch((error: unknown) =>
        this.#logger.warn("plugin stop failed", { error: toError(error).message }),
      );
    }
    this.#plugins.clear();
    this.#keepalive.stop();
    const transport = this.#transport;
    this.#transport = undefined;
    this.#live = undefined;
    if (transport) {
      if (wasOnline) {
        // Acknowledge what we got so the server does not redeliver it to the next session.
        if (this.#sm.enabled) await transport.write([this.#sm.ack()]).catch(() => {});
        await transport.close();
      } else transport.destroy();
    }
    const stopped = new ClawXmppError("stopped", "client stopped");
    this.#queue.rejectAll(stopped);
    this.#iq.rejectAll(stopped);
    this.#timers.clear();
    if (wasOnline)
      this.emit("offline", { error: undefined, willReconnect: false, retryIn: undefined });
    this.clear();
  }

  dropConnection(): void {
    this.#transport?.destroy();
  }

  // ---- inbound ---------------------------------------------------------------------------

  #onElement(element: Element): void {
    this.#keepalive.activity();
    if (element.attrs.xmlns === NS_SM) {
      this.#onSmNonza(element);
      return;
    }
    const isStanza =
      element.name === "message" || element.name === "presence" || element.name === "iq";
    if (!isStanza) return;
    this.#sm.countInbound();
    // Stanzas are processed one at a time, in order (xmpp.js's middleware would run them concurrently).
    this.#inboundChain = this.#inboundChain
      .then(() => this.#process(element))
      .catch((error: unknown) =>
        this.#logger.error("inbound stanza handling failed", { error: toError(error).message }),
      );
  }

  #onSmNonza(element: Element): void {
    if (element.name === "r") {
      void this.#transport?.write([this.#sm.ack()]).catch(() => {});
      return;
    }
    const h = this.#sm.apply(element);
    if (h !== undefined) this.#queue.ack(h);
  }

  async #process(stanza: Element): Promise<void> {
    if (stanza.name === "iq") {
      await this.#iq.handle(stanza);
      return;
    }
    let dropped: string | undefined;
    const ctx: InboundContext = {
      stanza,
      message: undefined,
      presence: undefined,
      drop(reason) {
        dropped = reason;
      },
      get dropped() {
        return dropped;
      },
    };
    if (!(await this.#inbound.run("guard", ctx))) return this.#logDrop(ctx);
    if (!(await this.#inbound.run("decrypt", ctx))) return this.#logDrop(ctx);
    if (ctx.stanza.name === "message") {
      const message = parseMessage(ctx.stanza, this.#account.domain);
      if (!message) return;
      if (message.type === "error") {
        this.emit("bounce", {
          id: message.id,
          from: ctx.stanza.attrs.from,
          error: StanzaError.fromElement(ctx.stanza),
        });
        return;
      }
      this.#guard.annotate(message, ctx);
      ctx.message = message;
    } else if (ctx.stanza.name === "presence") {
      ctx.presence = parsePresence(ctx.stanza);
      if (!ctx.presence) return;
    }
    if (!(await this.#inbound.run("parse", ctx))) return this.#logDrop(ctx);
    if (ctx.message) {
      const archiveId =
        ctx.message.type === "groupchat" ? undefined : ctx.message.stanzaIds[this.#account.bare];
      this.emit("message", ctx.message);
      // Only fresh live messages move the cursor forward; offline (delayed) ones can be older than it.
      if (
        archiveId !== undefined &&
        ctx.message.via !== "archive" &&
        ctx.message.delay === undefined
      ) {
        this.#archive?.seen(archiveId);
      }
    }
    if (ctx.presence) {
      if (ctx.presence.type === "subscribe") {
        this.emit("subscription", {
          from: parseJid(ctx.presence.from.bare),
          presence: ctx.presence,
        });
      }
      this.emit("presence", ctx.presence);
    }
  }

  #logDrop(ctx: InboundContext): void {
    this.#logger.debug("inbound stanza dropped", {
      reason: ctx.dropped,
      from: ctx.stanza.attrs.from,
    });
  }

  // ---- outbound --------------------------------------------------------------------------

  async send(message: OutgoingMessage): Promise<{ id: string }> {
    const stanza = buildMessage(message);
    await this.#sendThroughStages(stanza, message);
    return { id: stanza.attrs.id ?? "" };
  }

  sendStanza(stanza: Element): Promise<void> {
    return this.#sendThroughStages(stanza, undefined);
  }

  async #sendThroughStages(stanza: Element, message: OutgoingMessage | undefined): Promise<void> {
    if (this.#status === "stopped") throw new ClawXmppError("stopped", "client was stopped");
    let cancelled: string | undefined;
    const ctx: OutboundContext = {
      stanza,
      message,
      cancel(reason) {
        cancelled = reason;
      },
      get cancelled() {
        return cancelled;
      },
    };
    for (const stage of OUTBOUND_STAGES) {
      if (!(await this.#outbound.run(stage, ctx))) {
        throw new ClawXmppError("protocol", `send cancelled in ${stage} stage: ${ctx.cancelled}`);
      }
    }
    await this.#queue.send(ctx.stanza);
  }

  async #write(elements: Element[]): Promise<void> {
    const transport = this.#transport;
    if (!transport || this.#status !== "online")
      throw new ClawXmppError("not-connected", "not connected");
    await transport.write(elements);
  }

  #requestAck(): void {
    if (this.#ackTimer) return;
    // Coalesce: one <r/> per burst.
    this.#ackTimer = this.#timers.setTimeout(() => {
      this.#ackTimer = undefined;
      void this.#transport?.write([xml("r", { xmlns: NS_SM })]).catch(() => {});
    }, 5);
  }

  sendPresence(attrs: { type?: string; to?: string } = {}, ...children: Element[]): Promise<void> {
    const caps = attrs.type === undefined ? this.#disco.caps() : undefined;
    return this.sendStanza(xml("presence", { type: attrs.type, to: attrs.to }, caps, ...children));
  }

  async approveSubscription(jid: string): Promise<void> {
    const bare = parseJid(jid).bare;
    await this.sendStanza(xml("presence", { type: "subscribed", to: bare }));
    await this.sendStanza(xml("presence", { type: "subscribe", to: bare }));
  }

  async denySubscription(jid: string): Promise<void> {
    await this.sendStanza(xml("presence", { type: "unsubscribed", to: parseJid(jid).bare }));
  }

  #onCapsChanged(): void {
    if (this.#status === "online") void this.sendPresence().catch(() => {});
  }

  // ---- plugins -----------------------------------------------------------------------------

  use<Options, Handle extends PluginHandle>(
    plugin: Plugin<Options, Handle>,
    options: Options,
  ): Handle {
    const name = plugin.pluginName;
    if (this.#status === "stopped") throw new ClawXmppError("stopped", "client was stopped");
    if (this.#plugins.has(name)) {
      throw new ClawXmppError("config", `plugin "${name}" is already in use on this client`);
    }
    const { handle, stop } = hostPlugin(
      {
        client: this,
        inbound: this.#inbound,
        outbound: this.#outbound,
        iq: this.#iq,
        disco: this.#disco,
        logger: this.#logger,
        clock: this.#clock,
      },
      plugin,
      options,
      () => this.#plugins.delete(name),
    );
    this.#plugins.set(name, stop);
    return handle;
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
