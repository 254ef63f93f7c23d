/**
 * The plugin contract. A plugin is a named factory `(ctx, options) => handle`.
 * The context hands it everything it may touch; every registration made
 * through the context is undone automatically when the plugin or the client
 * stops, so a plugin cannot leak a listener, handler, feature or timer.
 */
import type { Client } from "./client.js";
import type { Clock } from "./clock.js";
import type { DiscoRegistry } from "./disco.js";
import type { IqCaller, IqHandlers } from "./iq.js";
import type { Logger } from "./logger.js";
import type {
  InboundContext,
  InboundStage,
  OutboundContext,
  OutboundStage,
  Stages,
} from "./pipeline.js";

/** What a plugin receives. */
export interface PluginContext {
  /** The client: typed events, `send`, `jid`, status. Listeners added via `ctx.client.on` are removed on stop. */
  readonly client: Client;
  /** Inbound stanza stages (guard → decrypt → parse). */
  readonly inbound: Stages<InboundStage, InboundContext>;
  /** Outbound stanza stages (build → encrypt). */
  readonly outbound: Stages<OutboundStage, OutboundContext>;
  /** IQ requests with timeouts. */
  readonly iq: IqCaller;
  /** IQ request handlers. */
  readonly iqHandlers: IqHandlers;
  /** Service discovery features and identities. */
  readonly disco: DiscoRegistry;
  /** Logger named after the plugin. */
  readonly logger: Logger;
  /** Timers (unref'd, cleared when the plugin stops). */
  readonly clock: Clock;
  /** Registers cleanup to run when the plugin stops. */
  onStop(cleanup: () => void | Promise<void>): void;
}

/** What every plugin returns. */
export interface PluginHandle {
  /** Releases everything the plugin holds. Idempotent. */
  stop(): void | Promise<void>;
}

/** A plugin factory with a name. */
export interface Plugin<Options, Handle extends PluginHandle> {
  (ctx: PluginContext, options: Options): Handle;
  readonly pluginName: string;
}

/** Names a plugin factory; the name appears in logs and must be unique per client. */
export function definePlugin<Options, Handle extends PluginHandle>(
  name: string,
  factory: (ctx: PluginContext, options: Options) => Handle,
): Plugin<Options, Handle> {
  return Object.assign(factory, { pluginName: name });
}
