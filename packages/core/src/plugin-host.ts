/**
 * Hosts a client's plugins: resolves their dependencies by identity, builds
 * each context, records every registration made through it so that stopping
 * undoes them all, and keeps the stop order (dependents first).
 */
import type { ArchiveQuerier } from "./archive-query.js";
import type { PluginClient } from "./client-api.js";
import { type Clock, TimerGroup } from "./clock.js";
import type { Disco } from "./disco.js";
import type { Disposer } from "./emitter.js";
import { ClawXmppError, ConfigError } from "./errors.js";
import type { IqRouter } from "./iq.js";
import type { Logger } from "./logger.js";
import type {
  InboundContext,
  InboundStage,
  OutboundContext,
  OutboundStage,
  Pipeline,
} from "./pipeline.js";
import type {
  AnyPlugin,
  Plugin,
  PluginContext,
  PluginHandle,
  PluginMap,
  SessionLane,
} from "./plugin.js";

/** The client internals a plugin context hands out. */
export interface PluginHostDeps {
  client: PluginClient;
  inbound: Pipeline<InboundStage, InboundContext>;
  outbound: Pipeline<OutboundStage, OutboundContext>;
  iq: IqRouter;
  disco: Disco;
  session: SessionLane;
  archive: ArchiveQuerier;
  logger: Logger;
  clock: Clock;
}

interface Entry {
  name: string;
  handle: PluginHandle;
  timers: TimerGroup;
  dependents: Set<Entry>;
  dependencies: Set<Entry>;
  stop(): Promise<void>;
}

export class PluginHost {
  readonly #deps: PluginHostDeps;
  /** In `use` order. */
  readonly #entries = new Map<AnyPlugin, Entry>();

  constructor(deps: PluginHostDeps) {
    this.#deps = deps;
  }

  /** Names of the plugins in use, in `use` order. */
  names(): string[] {
    return [...this.#entries.values()].map((entry) => entry.name);
  }

  /** Live timers of every plugin. */
  timers(): number {
    let count = 0;
    for (const entry of this.#entries.values()) count += entry.timers.size;
    return count;
  }

  use<Options, Handle extends PluginHandle>(
    // biome-ignore lint/suspicious/noExplicitAny: any dependency map is accepted here
    plugin: Plugin<Options, Handle, any>,
    options: Options,
  ): Handle {
    const name = plugin.pluginName;
    if (this.#entries.has(plugin) || this.names().includes(name)) {
      throw new ConfigError(`plugin "${name}" is already in use on this client`);
    }
    const dependencies = new Set<Entry>();
    const resolve = (map: PluginMap, required: boolean) => {
      const handles: Record<string, PluginHandle | undefined> = {};
      for (const [key, dependency] of Object.entries(map)) {
        const entry = this.#entries.get(dependency);
        if (entry === undefined && required) {
          const twin = this.names().includes(dependency.pluginName)
            ? ` (a plugin named "${dependency.pluginName}" is in use, but from another copy of its package: install one version)`
            : "";
          throw new ConfigError(
            `plugin "${name}" requires "${dependency.pluginName}": call client.use(${dependency.pluginName}, …) before client.use(${name}, …)${twin}`,
          );
        }
        if (entry) dependencies.add(entry);
        handles[key] = entry?.handle;
      }
      return handles;
    };
    const deps = { ...resolve(plugin.requires, true), ...resolve(plugin.optional, false) };

    const disposers: (() => void | Promise<void>)[] = [];
    const track = (dispose: Disposer): Disposer => {
      disposers.push(dispose);
      return dispose;
    };
    const host = this.#deps;
    const timers = new TimerGroup(host.clock);
    disposers.push(() => timers.clear());
    const logger = host.logger.child(name);
    const ctx: PluginContext<Record<string, PluginHandle | undefined>> = {
      client: scopedClient(host.client, track),
      deps,
      inbound: { use: (stage, handler) => track(host.inbound.use(stage, handler)) },
      outbound: { use: (stage, handler) => track(host.outbound.use(stage, handler)) },
      iq: host.iq,
      iqHandlers: {
        register: (type, ns, element, handler) =>
          track(host.iq.register(type, ns, element, handler)),
      },
      disco: {
        addFeature: (feature) => track(host.disco.addFeature(feature)),
        addIdentity: (identity) => track(host.disco.addIdentity(identity)),
        addNode: (node, provider) => track(host.disco.addNode(node, provider)),
      },
      session: host.session,
      archive: host.archive,
      logger,
      clock: {
        now: () => host.clock.now(),
        setTimeout: (fn, ms, timerOptions) => timers.setTimeout(fn, ms, timerOptions),
        setInterval: (fn, ms) => timers.setInterval(fn, ms),
      },
      onStop: (cleanup) => {
        disposers.push(cleanup);
      },
    };

    const runDisposers = async () => {
      for (const dispose of disposers.splice(0).reverse()) {
        try {
          await dispose();
        } catch (error) {
          logger.warn("cleanup failed", { error: errorMessage(error) });
        }
      }
    };

    let handle: Handle;
    try {
      handle = (plugin as unknown as (ctx: unknown, options: Options) => Handle)(ctx, options);
    } catch (error) {
      void runDisposers();
      throw error;
    }

    const originalStop = handle.stop.bind(handle);
    let stopping: Promise<void> | undefined;
    const entry: Entry = {
      name,
      handle,
      timers,
      dependents: new Set(),
      dependencies,
      stop: () => {
        stopping ??= (async () => {
          // Dependents first: they may still be using this plugin's handle.
          for (const dependent of [...entry.dependents].reverse()) await dependent.stop();
          this.#entries.delete(plugin);
          try {
            await originalStop();
          } catch (error) {
            logger.warn("stop failed", { error: errorMessage(error) });
          }
          await runDisposers();
          for (const dependency of dependencies) dependency.dependents.delete(entry);
        })();
        return stopping;
      },
    };
    for (const dependency of dependencies) dependency.dependents.add(entry);
    this.#entries.set(plugin, entry);
    return Object.assign(handle, { stop: entry.stop });
  }

  /** Stops every plugin, the last used first. */
  async stopAll(): Promise<void> {
    for (const entry of [...this.#entries.values()].reverse()) await entry.stop();
  }
}

/**
 * A view of the client whose listeners are tracked; everything else delegates to the client
 * itself (an `Object.create` view would break its private fields). No start/stop/use.
 */
function scopedClient(client: PluginClient, track: (dispose: Disposer) => Disposer): PluginClient {
  return {
    get kind() {
      return client.kind;
    },
    get status() {
      return client.status;
    },
    get jid() {
      return client.jid;
    },
    get account() {
      return client.account;
    },
    get stats() {
      return client.stats;
    },
    on: (event, fn) => track(client.on(event, fn)),
    once: (event, fn) => track(client.once(event, fn)),
    off: (event, fn) => client.off(event, fn),
    send: (message) => client.send(message),
    sendStanza: (stanza, options) => client.sendStanza(stanza, options),
    sendPresence: (attrs, ...children) => client.sendPresence(attrs, ...children),
    approveSubscription: (jid) => client.approveSubscription(jid),
    denySubscription: (jid) => client.denySubscription(jid),
  };
}

function errorMessage(error: unknown): string {
  return ClawXmppError.isInstance(error) || error instanceof Error ? error.message : String(error);
}
