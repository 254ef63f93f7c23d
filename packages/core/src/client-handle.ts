/**
 * What apps hold: the plugin view of the client plus starting, stopping and
 * composing it. Sits on top of the contract (`plugin.ts`) and the client's
 * events (`client-api.ts`), so neither imports the other's implementation.
 */
import type { OnlineInfo, PluginClient } from "./client-api.js";
import type { IqCaller } from "./iq.js";
import type { Plugin, PluginHandle } from "./plugin.js";

/** A started or startable client. */
export interface Client extends PluginClient {
  /** IQ requests with timeouts; answers are matched by id and sender (for apps; plugins use `ctx.iq`). */
  readonly iq: IqCaller;
  /**
   * Connects; resolves when online. Rejects with the first attempt's error, or keeps trying with
   * `retryInitialConnect`; rejects with `stopped` when `stop()` is called first.
   */
  start(options?: { retryInitialConnect?: boolean }): Promise<OnlineInfo>;
  /** Stops plugins, closes the stream and releases every socket, timer and listener. */
  stop(): Promise<void>;
  /** Adds a plugin (after the plugins it requires); the handle is stopped with the client. */
  use<Options, Handle extends PluginHandle>(
    // biome-ignore lint/suspicious/noExplicitAny: any dependency map is accepted here
    plugin: Plugin<Options, Handle, any>,
    options: Options,
  ): Handle;
  /** Drops the socket as if the network failed (tests, health checks). */
  dropConnection(): void;
}
