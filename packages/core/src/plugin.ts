/**
 * The plugin contract. A plugin is a named factory `(ctx, options) => handle`.
 * The context hands it everything it may touch; every registration made
 * through the context is undone automatically when the plugin or the client
 * stops, so a plugin cannot leak a listener, handler, feature or timer.
 *
 * A plugin may depend on other plugins by identity (`requires`, `optional`):
 * their handles arrive typed in `ctx.deps`, the client checks they are in use
 * first, and a plugin always stops before the plugins it depends on.
 */
import type { ArchiveQuerier } from "./archive-query.js";
import type { PluginClient } from "./client-api.js";
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
import type { Element } from "./xml.js";

/** The session-setup lane (see `SendStanzaOptions.setup`). */
export interface SessionLane {
  /**
   * Sends a stanza that sets up the current session (a room rejoin, a subscription refresh):
   * written before the application's backlog, never refused for `queue-full`, dropped when the
   * session ends first.
   */
  send(stanza: Element): Promise<void>;
}

/** What a plugin receives. `Deps` are the handles of the plugins it declared. */
export interface PluginContext<Deps = Record<never, never>> {
  /** The client: typed events, `send`, `jid`, status. Listeners added via `ctx.client.on` are removed on stop. */
  readonly client: PluginClient;
  /** Handles of the plugins this one requires (and of optional ones in use, else `undefined`). */
  readonly deps: Deps;
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
  /** The session-setup lane. */
  readonly session: SessionLane;
  /** XEP-0313 archive queries (a room's or the account's); results come back to the caller only. */
  readonly archive: ArchiveQuerier;
  /** Logger named after the plugin. */
  readonly logger: Logger;
  /** Timers (unref'd, cleared when the plugin stops). */
  readonly clock: Clock;
  /**
   * Registers cleanup to run when the plugin stops, e.g. the disposer another plugin's run-time
   * hook returned. Every cleanup runs, even when an earlier one throws.
   */
  onStop(cleanup: () => void | Promise<void>): void;
}

/** What every plugin returns. */
export interface PluginHandle {
  /** Releases everything the plugin holds. Idempotent. */
  stop(): void | Promise<void>;
}

/** Any plugin, whatever its options, handle and dependencies. */
// biome-ignore lint/suspicious/noExplicitAny: the widest plugin type, for dependency maps
export type AnyPlugin = Plugin<any, PluginHandle, any>;

/** Named plugins a plugin depends on. */
export type PluginMap = Readonly<Record<string, AnyPlugin>>;

/** The handle type of a plugin. */
// biome-ignore lint/suspicious/noExplicitAny: matches any options and dependencies
export type HandleOf<P> = P extends Plugin<any, infer H, any> ? H : never;

/** `ctx.deps` for the given required and optional plugins. */
export type DepsOf<R extends PluginMap, O extends PluginMap> = {
  readonly [K in keyof R]: HandleOf<R[K]>;
} & { readonly [K in keyof O]: HandleOf<O[K]> | undefined };

/** A plugin factory with a name and its dependencies. */
export interface Plugin<Options, Handle extends PluginHandle, Deps = Record<never, never>> {
  (ctx: PluginContext<Deps>, options: Options): Handle;
  /** Unique per client; appears in logs. */
  readonly pluginName: string;
  /** Plugins that must be in use on the client first. */
  readonly requires: PluginMap;
  /** Plugins used when present. */
  readonly optional: PluginMap;
}

/** The spec form of {@link definePlugin}. */
export interface PluginSpec<
  Options,
  Handle extends PluginHandle,
  R extends PluginMap,
  O extends PluginMap,
> {
  /** Lower-case name, unique per client. */
  name: string;
  /** Plugins that must be in use on the client first; their handles arrive in `ctx.deps`. */
  requires?: R;
  /** Plugins used when present (`ctx.deps.x` is `undefined` otherwise). */
  optional?: O;
  /** Builds the plugin's handle. */
  setup(ctx: PluginContext<DepsOf<R, O>>, options: Options): Handle;
}

/** Names a plugin factory; the name appears in logs and must be unique per client. */
export function definePlugin<Options, Handle extends PluginHandle>(
  name: string,
  factory: (ctx: PluginContext, options: Options) => Handle,
): Plugin<Options, Handle>;
/** Defines a plugin with typed dependencies on other plugins. */
export function definePlugin<
  Options,
  Handle extends PluginHandle,
  R extends PluginMap = Record<never, never>,
  O extends PluginMap = Record<never, never>,
>(spec: PluginSpec<Options, Handle, R, O>): Plugin<Options, Handle, DepsOf<R, O>>;
export function definePlugin(
  nameOrSpec: string | PluginSpec<unknown, PluginHandle, PluginMap, PluginMap>,
  factory?: (ctx: PluginContext, options: unknown) => PluginHandle,
): AnyPlugin {
  if (typeof nameOrSpec === "string") {
    const setup = factory as (ctx: PluginContext, options: unknown) => PluginHandle;
    return Object.assign((ctx: PluginContext, options: unknown) => setup(ctx, options), {
      pluginName: nameOrSpec,
      requires: {},
      optional: {},
    });
  }
  const spec = nameOrSpec;
  return Object.assign(
    (ctx: PluginContext<DepsOf<PluginMap, PluginMap>>, options: unknown) =>
      spec.setup(ctx, options),
    { pluginName: spec.name, requires: spec.requires ?? {}, optional: spec.optional ?? {} },
  );
}
