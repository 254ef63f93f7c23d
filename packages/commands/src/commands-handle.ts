/** The public surface of the `commands` plugin. */
import type { PluginHandle } from "@clawxmpp/core";
import type { RemoteCommand } from "./command-client.js";
import type { CommandResponse } from "./command-response.js";
import type { CommandDefinition } from "./command-types.js";
import type { LooseFormValues } from "./form-types.js";

/** What `client.use(commands, …)` returns. */
export interface CommandsHandle extends PluginHandle {
  /** Serves `command` (XEP-0050) until the returned function runs. Throws ConfigError on a bad definition. */
  add(command: CommandDefinition): () => void;
  /** Open sessions in total, or of one requester (bare JID match) when given. */
  openSessions(requester?: string): number;
  /** The commands `jid` offers us. */
  list(jid: string): Promise<RemoteCommand[]>;
  /** Starts command `node` on `jid`. */
  execute(jid: string, node: string): Promise<CommandResponse>;
  /** Answers the shown form with `values` (the form's defaults fill the rest) and moves on. */
  next(response: CommandResponse, values?: LooseFormValues): Promise<CommandResponse>;
  /** Answers the shown form and finishes. */
  complete(response: CommandResponse, values?: LooseFormValues): Promise<CommandResponse>;
  /** Goes back one stage. */
  prev(response: CommandResponse): Promise<CommandResponse>;
  /** Cancels the session. */
  cancel(response: CommandResponse): Promise<CommandResponse>;
}
