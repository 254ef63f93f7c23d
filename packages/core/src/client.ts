/**
 * The client: composes the session (connection, XEP-0198, reconnect), the
 * inbound path (per-conversation lanes, IQ budgets, stages), the outbound
 * path (stages, two-lane queue) and the plugin host.
 */
import { randomBytes } from "node:crypto";
import { ArchiveCatchUp, memoryCursor } from "./archive.js";
import { ArchiveQueries } from "./archive-query.js";
import { registerBuiltinResponders } from "./builtin-responders.js";
import type {
  ClientEvents,
  ClientStats,
  ClientStatus,
  OnlineInfo,
  SendStanzaOptions,
} from "./client-api.js";
import type { Client } from "./client-handle.js";
import { type Clock, systemClock, TimerGroup } from "./clock.js";
import { ReliableDelivery } from "./delivery.js";
import { Disco } from "./disco.js";
import { Emitter } from "./emitter.js";
import { ClawXmppError } from "./errors.js";
import { InboundGuard } from "./guard.js";
import { Inbound } from "./inbound.js";
import { type IqCaller, IqRouter } from "./iq.js";
import { type Jid, parseJid } from "./jid.js";
import { type Logger, silentLogger } from "./logger.js";
import { type ClientOptions, clientOptionsSchema, type ResolvedClientOptions } from "./options.js";
import { parseOptions } from "./options-util.js";
import { Outbound } from "./outbound.js";
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
import { PluginHost } from "./plugin-host.js";
import { Session } from "./session.js";
import type { OutgoingMessage } from "./stanza/message.js";
import { resolveTrace } from "./trace.js";
import { type Element, xml } from "./xml.js";

const NS_CARBONS = "urn:xmpp:carbons:2";
/** Introspection entry point (see `introspect`). */
export const INTROSPECT: unique symbol = Symbol.for("clawxmpp.introspect");

/** Creates a client. Nothing happens until `start()`. Throws a ConfigError naming bad fields. */
export function createClient(options: ClientOptions): Client {
  return new ClientImpl(parseOptions(clientOptionsSchema, options, "client options"), "client");
}

/**
 * For `@clawxmpp/component` only: core as an XEP-0114 component whose account is `domain`.
 * The caller's `transport` does the handshake; core sends no initial presence, enables no
 * carbons or archive, and leaves disco#info (answered per JID) to the component.
 */
export function createComponentClient(
  domain: string,
  options: Omit<ClientOptions, "jid" | "carbons" | "archive">,
): Client {
  const resolved = parseOptions(
    clientOptionsSchema,
    { ...options, jid: `component@${domain}`, carbons: false, archive: { catchUp: false } },
    "component options",
  );
  return new ClientImpl({ ...resolved, jid: domain }, "component");
}

class ClientImpl extends Emitter<ClientEvents> implements Client {
  readonly kind: "client" | "component";
  readonly #options: ResolvedClientOptions;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #timers: TimerGroup;
  readonly #inboundStages = new Pipeline<InboundStage, InboundContext>(INBOUND_STAGES);
  readonly #outboundStages = new Pipeline<OutboundStage, OutboundContext>(OUTBOUND_STAGES);
  readonly #iq: IqRouter;
  readonly #disco: Disco;
  /** Children (show, status…) of the last broadcast presence: repeated on caps changes and new sessions. */
  #broadcast: Element[] = [];
  readonly #queue: OutboundQueue;
  readonly #archive: ArchiveCatchUp | undefined;
  readonly #archiveQueries: ArchiveQueries;
  readonly #delivery: ReliableDelivery | undefined;
  readonly #session: Session;
  readonly #inbound: Inbound;
  readonly #outbound: Outbound;
  readonly #plugins: PluginHost;
  readonly #account: Jid;
  #stats: ClientStats = {
    connects: 0,
    resumes: 0,
    reconnectAttempts: 0,
    lastError: undefined,
    mechanism: undefined,
    queued: 0,
  };

  constructor(options: ResolvedClientOptions, kind: "client" | "component") {
    super((error, event) => this.#logger.error(`listener for "${event}" threw`, { error }));
    this.kind = kind;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#timers = new TimerGroup(this.#clock);
    this.#account = parseJid(parseJid(options.jid).bare);
    const emit = this.emit.bind(this) as ClientImpl["emit"];
    this.#iq = new IqRouter({
      send: (stanza, setup) => this.sendStanza(stanza, { setup: setup === true }),
      defaultTimeout: () => options.timeouts.iq,
      ownJid: () => this.#session.jid?.full,
      schedule: (fn, ms) => this.#timers.setTimeout(fn, ms),
    });
    this.#disco = new Disco(() => this.#onCapsChanged());
    this.#queue = new OutboundQueue({
      maxSize: options.queueSize,
      maxControl: Math.max(10_000, options.queueSize),
      write: (elements) => this.#session.write(elements),
      requestAck: () => this.#session.requestAck(),
      ackRequest: () => this.#session.inlineAckRequest(),
    });
    this.#archive = options.archive.catchUp
      ? new ArchiveCatchUp({
          iq: this.#iq,
          store: options.archive.cursor ?? memoryCursor(),
          logger: this.#logger,
          maxMessages: options.archive.maxMessages,
          pageSize: options.archive.pageSize,
          now: () => this.#clock.now(),
          drained: () => this.#inbound.archiveDrained(),
        })
      : undefined;
    this.#archiveQueries = new ArchiveQueries({
      iq: this.#iq,
      logger: this.#logger,
      account: () => this.#account.bare,
      domain: () => this.#account.domain,
    });
    this.#delivery = options.delivery.receipts
      ? new ReliableDelivery({
          maxPending: options.delivery.maxPending,
          maxAgeMs: options.delivery.maxAge,
          now: () => this.#clock.now(),
          logger: this.#logger,
          resend: (stanza) => this.#queue.send(stanza, { lane: "app", unbounded: true }),
        })
      : undefined;
    const guard = new InboundGuard({
      account: () => this.#account,
      ownFullJid: () => this.#session.jid?.full,
      logger: this.#logger,
      isOurArchiveQuery: (queryid) => this.#archive?.isOurQuery(queryid) ?? false,
      isArchiveProbe: (queryid) => this.#archive?.isProbe(queryid) ?? false,
      onDuplicate: (stanza, origin) => this.#inbound.answerReceipt(stanza, origin),
    });
    this.#inbound = new Inbound({
      account: this.#account,
      logger: this.#logger,
      now: () => this.#clock.now(),
      pipeline: this.#inboundStages,
      guard,
      iq: this.#iq,
      archive: this.#archive,
      archiveQueries: this.#archiveQueries,
      emit,
      delivery: this.#delivery,
      sendReceipt: (receipt) => void this.sendStanza(receipt).catch(() => {}),
      iqBurst: options.iqBudget.burst,
      iqPerSecond: options.iqBudget.perSecond,
    });
    this.#outbound = new Outbound({
      pipeline: this.#outboundStages,
      queue: this.#queue,
      usable: () => this.#session.status !== "stopped",
      session: () => this.#session.id,
      delivery: this.#delivery,
    });
    this.#session = new Session({
      options,
      account: this.#account,
      resource: options.resource ?? `clawxmpp-${randomBytes(4).toString("hex")}`,
      logger: this.#logger,
      timers: this.#timers,
      now: () => this.#clock.now(),
      stats: this.#stats,
      queue: this.#queue,
      emit,
      onStanza: (stanza) => this.#inbound.receive(stanza),
      onNewSession: () => this.#iq.sessionLost(),
      setUp: (setup) => this.#setUpSession(setup.carbonsEnabled),
      afterUp: (resumed) => this.#afterUp(resumed),
      trace: resolveTrace(options.trace),
      ping: (timeout) =>
        this.#iq.get(xml("ping", { xmlns: "urn:xmpp:ping" }), undefined, { timeout }),
    });
    this.#plugins = new PluginHost({
      client: this,
      inbound: this.#inboundStages,
      outbound: this.#outboundStages,
      iq: this.#iq,
      disco: this.#disco,
      session: { send: (stanza) => this.sendStanza(stanza, { setup: true }) },
      archive: this.#archiveQueries,
      logger: this.#logger,
      clock: this.#clock,
    });
    registerBuiltinResponders(
      { iq: this.#iq, disco: this.#disco, clock: this.#clock },
      options.software,
      kind === "client",
    );
    this.#inboundStages.use("guard", (ctx) => guard.run(ctx));
  }

  get status(): ClientStatus {
    return this.#session.status;
  }
  get jid(): Jid | undefined {
    return this.#session.jid;
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

  // ---- lifecycle -------------------------------------------------------------------------

  async start(options: { retryInitialConnect?: boolean } = {}): Promise<OnlineInfo> {
    if (this.#session.status === "idle") await this.#archive?.load();
    return this.#session.start(options.retryInitialConnect === true);
  }

  /** Presence (with caps) and carbons (unless enabled inline by Bind2) for a new session, in the control lane. */
  #setUpSession(carbonsEnabled: boolean): void {
    this.#delivery?.newSession(this.#session.id);
    if (this.kind === "component") return;
    void this.sendStanza(xml("presence", {}, this.#disco.caps(), ...this.#broadcast), {
      setup: true,
    }).catch(() => {});
    if (!this.#options.carbons || carbonsEnabled) return;
    this.#iq
      .set(xml("enable", { xmlns: NS_CARBONS }), undefined, { setup: true })
      .catch((error: unknown) => {
        // A lost connection retries on the next session; anything else is worth a warning.
        const lost = ClawXmppError.isInstance(error) && error.code === "connection";
        this.#logger[lost ? "debug" : "warn"]("could not enable carbons", {
          error: error instanceof Error ? error.message : String(error),
        });
      });
  }

  #afterUp(resumed: boolean): Promise<void> | undefined {
    const archive = this.#archive;
    if (resumed || !archive) return undefined;
    const locating = !archive.hasCursor();
    const catchingUp = archive.catchUp().then(
      (fetched) => {
        this.emit("caughtUp", { fetched });
      },
      (error: unknown) =>
        this.#logger.warn("archive catch-up failed", {
          error: error instanceof Error ? error.message : String(error),
        }),
    );
    // The very first session learns where the archive ends before anyone can send to us.
    return locating ? catchingUp : undefined;
  }

  async stop(): Promise<void> {
    if (this.#session.status === "stopped") return;
    if (this.#session.status === "online" && this.#queue.size > 0) {
      // Let the server confirm what it already has, so those sends resolve instead of failing.
      this.#session.requestAck();
      await this.#queue.settled(2_000);
    }
    const wasOnline = this.#session.markStopped();
    await this.#plugins.stopAll();
    await this.#session.close(wasOnline);
    const stopped = new ClawXmppError("stopped", "client stopped");
    this.#queue.rejectAll(stopped);
    this.#iq.rejectAll(stopped);
    this.#timers.clear();
    if (wasOnline)
      this.emit("offline", { error: undefined, willReconnect: false, retryIn: undefined });
    this.clear();
  }

  dropConnection(): void {
    this.#session.drop();
  }

  // ---- outbound --------------------------------------------------------------------------

  send(message: OutgoingMessage): Promise<{ id: string }> {
    return this.#outbound.send(message);
  }

  sendStanza(stanza: Element, options?: SendStanzaOptions): Promise<void> {
    return this.#outbound.sendStanza(stanza, options);
  }

  sendPresence(attrs: { type?: string; to?: string } = {}, ...children: Element[]): Promise<void> {
    // RFC 6121 §4.4: the last broadcast presence (show, status) is what a caps
    // update or a new session repeats, so neither silently resets it.
    if (attrs.type === undefined && attrs.to === undefined) this.#broadcast = children;
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
    if (this.#session?.status === "online" && this.kind === "client")
      void this.sendPresence({}, ...this.#broadcast).catch(() => {});
  }

  // ---- plugins -----------------------------------------------------------------------------

  use<Options, Handle extends PluginHandle>(
    // biome-ignore lint/suspicious/noExplicitAny: any dependency map is accepted here
    plugin: Plugin<Options, Handle, any>,
    options: Options,
  ): Handle {
    if (this.#session.status === "stopped")
      throw new ClawXmppError("stopped", "client was stopped");
    return this.#plugins.use(plugin, options);
  }

  // ---- introspection -----------------------------------------------------------------------

  [INTROSPECT]() {
    const iq = this.#iq.inspect();
    const inbound = this.#inbound.inspect();
    const listeners: Record<string, number> = {};
    for (const event of [
      "online",
      "offline",
      "status",
      "message",
      "presence",
      "subscription",
      "bounce",
      "caughtUp",
      "error",
    ] as const) {
      listeners[event] = this.listenerCount(event);
    }
    return {
      plugins: this.#plugins.names(),
      iqHandlers: iq.handlers,
      pendingIq: iq.pending,
      discoFeatures: this.#disco.features(),
      discoIdentities: this.#disco.identityCount(),
      discoNodes: this.#disco.nodes(),
      stageHandlers: { ...this.#inboundStages.counts(), ...this.#outboundStages.counts() },
      timers: this.#timers.size + this.#plugins.timers(),
      listeners,
      queued: this.#queue.counts(),
      lanes: inbound.lanes,
      iqSenders: inbound.iqSenders,
    };
  }
}
