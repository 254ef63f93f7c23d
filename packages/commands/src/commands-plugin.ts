/**
 * The `commands` plugin: XEP-0050 ad-hoc commands served and run, with
 * XEP-0004 forms. This is the one file that touches the plugin contract
 * (context, IQ handlers, disco), so moving to core v2's
 * `definePlugin({ name, setup })` changes only this file.
 */
import { definePlugin, parseOptions, StanzaError, xml } from "@clawxmpp/core";
import { CommandClient } from "./command-client.js";
import { CommandRegistry } from "./command-registry.js";
import { CommandServer } from "./command-server.js";
import type { CommandsHandle } from "./commands-handle.js";
import { type CommandsOptionsInput, commandsOptionsSchema } from "./commands-options.js";
import { NS_COMMANDS, NS_DATA, NS_DISCO_ITEMS } from "./namespaces.js";

/** Serves and runs ad-hoc commands. */
export const commands = definePlugin<CommandsOptionsInput, CommandsHandle>(
  "commands",
  (ctx, input) => {
    const options = parseOptions(commandsOptionsSchema, input ?? {}, "commands options");
    const registry = new CommandRegistry({
      options,
      logger: ctx.logger,
      ownJid: () => ctx.client.jid?.full,
    });
    const server = new CommandServer({ registry, options, clock: ctx.clock, logger: ctx.logger });
    const client = new CommandClient(ctx.iq, options);
    ctx.disco.addFeature(NS_COMMANDS);
    ctx.disco.addFeature(NS_DATA);
    ctx.iqHandlers.register("set", NS_COMMANDS, "command", ({ from, child }) =>
      server.handle(from, child),
    );
    // The core answers disco#items for nobody, so the commands node (and an empty root) is ours.
    ctx.iqHandlers.register("get", NS_DISCO_ITEMS, "query", async ({ from, child }) => {
      const node = child.attrs.node;
      if (node === undefined) return xml("query", { xmlns: NS_DISCO_ITEMS });
      const items = await registry.items(from, node);
      if (!items) throw new StanzaError("item-not-found", "cancel");
      return items;
    });
    // disco#info on command nodes (§2.3) needs a node hook in the core's disco#info responder;
    // `CommandRegistry.info()` is ready for it (see the README).
    ctx.onStop(() => server.stop());
    return {
      add: (command) => registry.add(command),
      openSessions: (requester) => server.openSessions(requester),
      list: (jid) => client.list(jid),
      execute: (jid, node) => client.execute(jid, node),
      next: (response, values) => client.next(response, values),
      complete: (response, values) => client.complete(response, values),
      prev: (response) => client.prev(response),
      cancel: (response) => client.cancel(response),
      stop() {},
    };
  },
);
