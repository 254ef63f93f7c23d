/**
 * `createComponent`: an XEP-0114 component built on core. Core's session
 * gives reconnect with backoff, keepalive and the outbound queue (nothing
 * sent while offline is lost); the XEP-0114 socket replaces SASL and
 * binding; {@link Routing} makes every JID of the domain a sender and a
 * receiver; plugins are `use`d exactly as on a client and see
 * `ctx.client.kind === "component"`.
 */
import {
  type Client,
  type ClientEvents,
  type ClientStats,
  type ClientStatus,
  createComponentClient,
  type Disposer,
  type Element,
  Emitter,
  type Events,
  type IqCaller,
  introspect,
  type Jid,
  type OnlineInfo,
  type OutgoingMessage,
  type Plugin,
  type PluginHandle,
  parseOptions,
  type SendStanzaOptions,
  silentLogger,
  tryParseJid,
} from "@clawxmpp/core";
import { ComponentDisco, type ComponentDiscoRegistry } from "./component-disco.js";
import type { ComponentError } from "./component-error.js";
import {
  type ComponentOptions,
  componentOptionsSchema,
  type ResolvedComponentOptions,
  serverOf,
} from "./component-options.js";
import { componentDiscoPlugin } from "./disco-plugin.js";
import { type Delegation, NO_PRIVILEGES, type Privileges } from "./grants.js";
import { PrivilegedActions, type PrivilegedMessage, type RosterItem } from "./privileged.js";
import { routedTransport } from "./routed-transport.js";
import { Routing } from "./routing.js";
import { socketTransport } from "./socket-transport.js";

/** Events of a component: the client's, plus what the server grants. */
export interface ComponentEvents extends ClientEvents {
  /** XEP-0356 permissions as (re)advertised by the server. */
  privileges: [Privileges];
  /** XEP-0355 namespaces delegated to us, as (re)advertised by the server. */
  delegations: [readonly Delegation[]];
  /** A stanza from the server was refused: malformed, forged, or not granted. */
  invalid: [ComponentError];
}

/** A component: a client of kind `component` serving every JID of its domain. */
export interface Component
  extends Omit<Client, "kind" | "on" | "once" | "off">,
    Events<ComponentEvents> {
  readonly kind: "component";
  /** The component's domain. */
  readonly domain: string;
  /** The server that grants privileges and delegates namespaces. */
  readonly server: string;
  /** Per-JID service discovery. */
  readonly disco: ComponentDiscoRegistry;
  /** What the server granted (XEP-0356); nothing until it advertises. */
  readonly privileges: Privileges;
  /** Namespaces delegated to us (XEP-0355); empty until the server advertises. */
  readonly delegations: ReadonlyMap<string, Delegation>;
  /** Sends a message from any JID of the domain (`from` defaults to the domain). */
  send(message: OutgoingMessage): Promise<{ id: string }>;
  /** XEP-0356: a user's roster (needs roster `get`/`both`). */
  rosterGet(user: string): Promise<RosterItem[]>;
  /** XEP-0356: adds, changes or removes an item of a user's roster (needs roster `set`/`both`). */
  rosterSet(user: string, item: RosterItem): Promise<void>;
  /** XEP-0356: sends a message as a user of the server (needs message `outgoing`). */
  sendAs(message: PrivilegedMessage): Promise<{ id: string }>;
  /**
   * XEP-0356 §3.5: sends an IQ as `user` (to `to`, by default the user's bare JID) and resolves
   * with the forwarded answer (needs an IQ permission for the payload's namespace).
   */
  privilegedIq(user: string, type: "get" | "set", payload: Element, to?: string): Promise<Element>;
}

const OWN_EVENTS = new Set(["privileges", "delegations", "invalid"]);

/** Creates a component. Nothing happens until `start()`. Throws a ConfigError naming bad fields. */
export function createComponent(options: ComponentOptions): Component {
  return new ComponentImpl(parseOptions(componentOptionsSchema, options, "component options"));
}

type OwnEvents = Pick<ComponentEvents, "privileges" | "delegations" | "invalid">;

class ComponentImpl implements Component {
  readonly kind = "component" as const;
  readonly domain: string;
  readonly server: string;
  readonly disco: ComponentDisco;
  readonly #client: Client;
  readonly #routing: Routing;
  readonly #events: Emitter<OwnEvents>;
  readonly #privileged: PrivilegedActions;
  #privileges: Privileges = NO_PRIVILEGES;

  constructor(options: ResolvedComponentOptions) {
    const logger = options.logger ?? silentLogger;
    this.domain = options.domain.toLowerCase();
    this.server = serverOf(options);
    this.#events = new Emitter<OwnEvents>((error, event) =>
      logger.error(`listener for "${event}" threw`, { error }),
    );
    this.#routing = new Routing({
      domain: this.domain,
      server: this.server,
      logger,
      events: {
        privileges: (privileges) => {
          this.#privileges = privileges;
          logger.info("privileges granted (XEP-0356)", {
            roster: privileges.roster,
            message: privileges.message,
          });
          this.#events.emit("privileges", privileges);
        },
        delegations: (delegations) => {
          logger.info("namespaces delegated (XEP-0355)", {
            namespaces: delegations.map((d) => d.namespace),
          });
          this.#events.emit("delegations", delegations);
        },
        invalid: (error) => this.#events.emit("invalid", error),
      },
    });
    const socket =
      options.transport ??
      socketTransport({
        domain: this.domain,
        secret: options.secret,
        host: options.host,
        port: options.port,
        tls: options.tls,
        timeout: options.handshakeTimeout,
        maxElementBytes: options.maxElementBytes,
        logger,
      });
    this.#client = createComponentClient(this.domain, {
      password: options.secret,
      server: options.host,
      port: options.port,
      reconnect: options.reconnect,
      keepalive: options.keepalive,
      timeouts: options.timeouts,
      iqBudget: options.iqBudget,
      queueSize: options.queueSize,
      software: options.software,
      logger,
      clock: options.clock,
      trace: options.trace,
      transport: routedTransport(socket, this.#routing),
    });
    const client = this.#client;
    this.disco = new ComponentDisco({
      domain: this.domain,
      userDefault:
        options.userIdentity === false ? undefined : { identities: [options.userIdentity] },
      pluginFeatures: () => introspect(client).discoFeatures,
      delegated: (namespace, asker) =>
        this.#routing.delegations.has(namespace) || tryParseJid(asker)?.bare === this.server,
    });
    this.disco.set(this.domain, { identities: [options.identity] });
    client.use(componentDiscoPlugin, { disco: this.disco });
    // Grants belong to a connection: the server advertises them again after every handshake.
    client.on("offline", () => {
      this.#privileges = NO_PRIVILEGES;
      this.#routing.resetGrants();
    });
    this.#privileged = new PrivilegedActions({
      iq: client.iq,
      send: (stanza) => client.sendStanza(stanza),
      privileges: () => this.#privileges,
      server: this.server,
    });
  }

  get status(): ClientStatus {
    return this.#client.status;
  }
  get jid(): Jid | undefined {
    return this.#client.jid;
  }
  get account(): Jid {
    return this.#client.account;
  }
  get stats(): Readonly<ClientStats> {
    return this.#client.stats;
  }
  get iq(): IqCaller {
    return this.#client.iq;
  }
  get privileges(): Privileges {
    return this.#privileges;
  }
  get delegations(): ReadonlyMap<string, Delegation> {
    return this.#routing.delegations;
  }

  start(options?: { retryInitialConnect?: boolean }): Promise<OnlineInfo> {
    return this.#client.start(options);
  }
  async stop(): Promise<void> {
    await this.#client.stop();
    this.#events.clear();
  }
  dropConnection(): void {
    this.#client.dropConnection();
  }
  use<Options, Handle extends PluginHandle>(
    // biome-ignore lint/suspicious/noExplicitAny: any dependency map is accepted here
    plugin: Plugin<Options, Handle, any>,
    options: Options,
  ): Handle {
    return this.#client.use(plugin, options);
  }

  send(message: OutgoingMessage): Promise<{ id: string }> {
    return this.#client.send(message);
  }
  sendStanza(stanza: Element, options?: SendStanzaOptions): Promise<void> {
    return this.#client.sendStanza(stanza, options);
  }
  sendPresence(attrs?: { type?: string; to?: string }, ...children: Element[]): Promise<void> {
    return this.#client.sendPresence(attrs, ...children);
  }
  approveSubscription(jid: string): Promise<void> {
    return this.#client.approveSubscription(jid);
  }
  denySubscription(jid: string): Promise<void> {
    return this.#client.denySubscription(jid);
  }

  rosterGet(user: string): Promise<RosterItem[]> {
    return this.#privileged.rosterGet(user);
  }
  rosterSet(user: string, item: RosterItem): Promise<void> {
    return this.#privileged.rosterSet(user, item);
  }
  sendAs(message: PrivilegedMessage): Promise<{ id: string }> {
    return this.#privileged.sendAs(message);
  }
  privilegedIq(user: string, type: "get" | "set", payload: Element, to?: string): Promise<Element> {
    return this.#privileged.privilegedIq(user, type, payload, to);
  }

  on<K extends keyof ComponentEvents & string>(
    event: K,
    listener: (...args: ComponentEvents[K]) => void,
  ): Disposer {
    return this.#pick(event).on(event, listener);
  }
  once<K extends keyof ComponentEvents & string>(
    event: K,
    listener: (...args: ComponentEvents[K]) => void,
  ): Disposer {
    return this.#pick(event).once(event, listener);
  }
  off<K extends keyof ComponentEvents & string>(
    event: K,
    listener: (...args: ComponentEvents[K]) => void,
  ): void {
    this.#pick(event).off(event, listener);
  }

  /** The emitter of an event: the component's own, or the client's. */
  #pick(event: string): Events<ComponentEvents> {
    return (OWN_EVENTS.has(event)
      ? this.#events
      : this.#client) as unknown as Events<ComponentEvents>;
  }

  /** `introspect(component)` reports the underlying client. */
  [Symbol.for("clawxmpp.introspect")]() {
    return introspect(this.#client);
  }
}
