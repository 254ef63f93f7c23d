/**
 * Runs one plugin: builds its context, and records every registration made
 * through it so that stopping the plugin (or the client) undoes them all.
 */
import type { Client } from "./client.js";
import { type Clock, TimerGroup } from "./clock.js";
import type { Disco } from "./disco.js";
import type { Disposer } from "./emitter.js";
import type { IqRouter } from "./iq.js";
import type { Logger } from "./logger.js";
import type {
  InboundContext,
  InboundStage,
  OutboundContext,
  OutboundStage,
  Pipeline,
} from "./pipeline.js";
import type { Plugin, PluginContext, PluginHandle } from "./plugin.js";

/** The client internals a plugin context hands out. */
export interface PluginHostDeps {
  client: Client;
  inbound: Pipeline<InboundStage, InboundContext>;
  outbound: Pipeline<OutboundStage, OutboundContext>;
  iq: IqRouter;
  disco: Disco;
  logger: Logger;
  clock: Clock;
}

/** Starts `plugin`; returns its handle (whose `stop` undoes everything) and that stop function. */
export function hostPlugin<Options, Handle extends PluginHandle>(
  deps: PluginHostDeps,
  plugin: Plugin<Options, Handle>,
  options: Options,
  onStopped: () => void,
): { handle: Handle; stop: () => Promise<void> } {
  const disposers: (() => void | Promise<void>)[] = [];
  const track = (dispose: Disposer): Disposer => {
    disposers.push(dispose);
    return dispose;
  };
  const timers = new TimerGroup(deps.clock);
  disposers.push(() => timers.clear());
  const ctx: PluginContext = {
    client: scopedClient(deps.client, track),
    inbound: { use: (stage, handler) => track(deps.inbound.use(stage, handler)) },
    outbound: { use: (stage, handler) => track(deps.outbound.use(stage, handler)) },
    iq: deps.iq,
    iqHandlers: {
      register: (type, ns, name, handler) => track(deps.iq.register(type, ns, name, handler)),
    },
    disco: {
      addFeature: (feature) => track(deps.disco.addFeature(feature)),
      addIdentity: (identity) => track(deps.disco.addIdentity(identity)),
    },
    logger: deps.logger.child(plugin.pluginName),
    clock: {
      now: () => deps.clock.now(),
      setTimeout: (fn, ms) => timers.setTimeout(fn, ms),
      setInterval: (fn, ms) => timers.setInterval(fn, ms),
    },
    onStop: (cleanup) => {
      disposers.push(cleanup);
    },
  };
  let handle: Handle;
  try {
    handle = plugin(ctx, options);
  } catch (error) {
    for (const dispose of disposers.reverse()) void dispose();
    throw error;
  }
  let stopped = false;
  const originalStop = handle.stop.bind(handle);
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    onStopped();
    try {
      await originalStop();
    } finally {
      for (const dispose of disposers.reverse()) await dispose();
    }
  };
  return { handle: Object.assign(handle, { stop }), stop };
}

/**
 * A view of the client whose listeners are tracked; everything else delegates to the client
 * itself (an `Object.create` view would break its private fields).
 */
function scopedClient(client: Client, track: (dispose: Disposer) => Disposer): Client {
  return {
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
    get iq() {
      return client.iq;
    },
    on: (event, fn) => track(client.on(event, fn)),
    once: (event, fn) => track(client.once(event, fn)),
    off: (event, fn) => client.off(event, fn),
    start: (opts) => client.start(opts),
    stop: () => client.stop(),
    send: (message) => client.send(message),
    sendStanza: (stanza) => client.sendStanza(stanza),
    use: (plugin, opts) => client.use(plugin, opts),
    sendPresence: (attrs, ...children) => client.sendPresence(attrs, ...children),
    approveSubscription: (jid) => client.approveSubscription(jid),
    denySubscription: (jid) => client.denySubscription(jid),
    dropConnection: () => client.dropConnection(),
  };
}
