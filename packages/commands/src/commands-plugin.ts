/**
 * The `commands` plugin: XEP-0050 ad-hoc commands served and run, with
 * XEP-0004 forms. This is the one file that touches the plugin contract
 * (context, IQ handlers, disco), so moving to core v2's
 * `definePlugin({ name, setup })` changes only this file.
 */
import { definePlugin, parseOptions } from "@clawxmpp/core";
import { CommandClient } from "./command-client.js";
import { CommandRegistry } from "./command-registry.js";
import { CommandServer } from "./command-server.js";
import type { CommandsHandle } from "./commands-handle.js";
import { type CommandsOptionsInput, commandsOptionsSchema } from "./commands-options.js";
import { NS_COMMANDS, NS_DATA } from "./namespaces.js";

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
    // XEP-0050 §2.2/§2.3: the command list and each command's info through the core's disco nodes.
    ctx.disco.addNode(NS_COMMANDS, {
      info: ({ from }) => registry.info(from, NS_COMMANDS),
      items: async ({ from }) => {
        const query = await registry.items(from, NS_COMMANDS);
        return query?.getChildren("item").map((item) => ({
          jid: item.attrs.jid ?? "",
          node: item.attrs.node,
          name: item.attrs.name,
        }));
      },
    });
    ctx.onStop(() => server.stop());
    return {
      add(command) {
        const remove = registry.add(command);
        const node = ctx.disco.addNode(command.node, {
          info: ({ from }) => registry.info(from, command.node),
        });
        return () => {
          node();
          remove();
        };
      },
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
