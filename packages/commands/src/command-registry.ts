/**
 * The commands a bot serves and who may see them: the command list (XEP-0050
 * §2.2, disco#items on the commands node, filtered per requester) and
 * disco#info on each command node (§2.3). The same visibility rule gates
 * every stage of a session (see `command-server.ts`).
 */
import { ConfigError, type Element, type Jid, type Logger, tryParseJid, xml } from "@clawxmpp/core";
import type { CommandDefinition } from "./command-types.js";
import type { CommandsOptions } from "./commands-options.js";
import { NS_COMMANDS, NS_DATA, NS_DISCO_INFO, NS_DISCO_ITEMS } from "./namespaces.js";

/** Served commands and their visibility. */
export class CommandRegistry {
  readonly #commands = new Map<string, CommandDefinition>();
  readonly #options: Pick<CommandsOptions, "allowed" | "maxCommands">;
  readonly #logger: Logger;
  readonly #ownJid: () => string | undefined;

  constructor(deps: {
    options: Pick<CommandsOptions, "allowed" | "maxCommands">;
    logger: Logger;
    ownJid: () => string | undefined;
  }) {
    this.#options = deps.options;
    this.#logger = deps.logger;
    this.#ownJid = deps.ownJid;
  }

  /** Serves `command` until the returned function runs. */
  add(command: CommandDefinition): () => void {
    const { node } = command;
    if (typeof node !== "string" || node.length === 0 || node.length > 1000)
      throw new ConfigError("[commands] a command needs a node of 1 to 1000 characters");
    if (node === NS_COMMANDS)
      throw new ConfigError(`[commands] ${node} is the command list's node`);
    if (this.#commands.has(node))
      throw new ConfigError(`[commands] a command with node ${node} is already served`);
    if (this.#commands.size >= this.#options.maxCommands)
      throw new ConfigError(
        `[commands] at most ${this.#options.maxCommands} commands (maxCommands)`,
      );
    if (!command.allowed && !this.#options.allowed)
      throw new ConfigError(
        `[commands] command ${node} has no \`allowed\` rule and the plugin has no default one`,
      );
    this.#commands.set(node, command);
    return () => {
      if (this.#commands.get(node) === command) this.#commands.delete(node);
    };
  }

  /** The command served at `node`. */
  get(node: string | undefined): CommandDefinition | undefined {
    return node === undefined ? undefined : this.#commands.get(node);
  }

  /** Whether `requester` may see and run `command`; a rule that throws means no. */
  async allowed(command: CommandDefinition, requester: Jid): Promise<boolean> {
    try {
      const rule = command.allowed ?? this.#options.allowed;
      return rule ? (await rule(requester, command.node)) === true : false;
    } catch (error) {
      this.#logger.warn("a command visibility rule threw; treated as not allowed", {
        node: command.node,
        error: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
  }

  /** disco#items (§2.2): the commands this requester may see, or undefined for another node. */
  async items(from: string | undefined, node: string | undefined): Promise<Element | undefined> {
    if (node !== NS_COMMANDS) return undefined;
    const requester = tryParseJid(from);
    const own = this.#ownJid();
    const visible: CommandDefinition[] = [];
    if (requester) {
      for (const command of this.#commands.values())
        if (await this.allowed(command, requester)) visible.push(command);
    }
    return xml(
      "query",
      { xmlns: NS_DISCO_ITEMS, node },
      ...visible.map((c) => xml("item", { jid: own, node: c.node, name: c.name })),
    );
  }

  /** disco#info on a command node (§2.3), or undefined when the node is not one this requester may see. */
  async info(from: string | undefined, node: string | undefined): Promise<Element | undefined> {
    const requester = tryParseJid(from);
    if (!requester || node === undefined) return undefined;
    if (node === NS_COMMANDS) {
      return xml(
        "query",
        { xmlns: NS_DISCO_INFO, node },
        xml("identity", { category: "automation", type: "command-list" }),
      );
    }
    const command = this.#commands.get(node);
    if (!command || !(await this.allowed(command, requester))) return undefined;
    return xml(
      "query",
      { xmlns: NS_DISCO_INFO, node },
      xml("identity", { category: "automation", type: "command-node", name: command.name }),
      xml("feature", { var: NS_COMMANDS }),
      xml("feature", { var: NS_DATA }),
    );
  }
}
