/**
 * The requester side of XEP-0050: list another entity's commands (§2.2),
 * execute one (§3.3) and step through its stages with a filled-in form,
 * going back or cancelling (§3.4). Answers are hostile input: the list and
 * every form are bounded, a malformed answer is a `bad-payload` error, and
 * errors carry the §4.6 condition.
 */
import { type Element, type IqCaller, StanzaError, xml } from "@clawxmpp/core";
import { type CommandResponse, parseCommandResponse } from "./command-response.js";
import { CommandsError, type FieldError } from "./commands-error.js";
import type { CommandsOptions } from "./commands-options.js";
import { formElement } from "./form-element.js";
import type { DataForm, LooseFormValues } from "./form-types.js";
import { validateSubmission } from "./form-validate.js";
import { fillForm } from "./form-values.js";
import { NS_COMMANDS, NS_DISCO_ITEMS } from "./namespaces.js";

/** A command another entity offers. */
export interface RemoteCommand {
  /** The JID that runs it (from the list item). */
  jid: string;
  node: string;
  /** Its name, or the node when the entity gave none. */
  name: string;
}

/** A value for a name the form does not have is a typo, not something to drop silently. */
function unknownNames(form: DataForm, values: LooseFormValues | undefined): FieldError[] {
  const names = new Set(form.fields.map((f) => f.var));
  return Object.keys(values ?? {})
    .filter((name) => !names.has(name))
    .map((name) => ({
      field: name,
      reason: "unknown",
      message: `${name}: the form has no such field`,
    }));
}

/** Runs other entities' commands. */
export class CommandClient {
  readonly #iq: IqCaller;
  readonly #options: CommandsOptions;

  constructor(iq: IqCaller, options: CommandsOptions) {
    this.#iq = iq;
    this.#options = options;
  }

  /** The commands `jid` offers us (§2.2). */
  async list(jid: string): Promise<RemoteCommand[]> {
    const result = await this.#call(
      "get",
      xml("query", { xmlns: NS_DISCO_ITEMS, node: NS_COMMANDS }),
      jid,
    );
    const query = result.getChild("query", NS_DISCO_ITEMS);
    if (!query) throw new CommandsError("bad-payload", "the command list has no <query/>");
    const commands: RemoteCommand[] = [];
    const max = this.#options.maxListItems;
    for (const item of query.getChildElements()) {
      if (item.name !== "item") continue;
      const { jid: itemJid, node, name } = item.attrs;
      if (!itemJid || !node || itemJid.length > 3_071 || node.length > 1_000) continue;
      commands.push({ jid: itemJid, node, name: (name ?? node).slice(0, 1_000) });
      if (commands.length >= max) break;
    }
    return commands;
  }

  /** Starts `node` on `jid`. */
  execute(jid: string, node: string): Promise<CommandResponse> {
    return this.#send(jid, xml("command", { xmlns: NS_COMMANDS, node, action: "execute" }));
  }

  /** Submits `values` (merged into the shown form's defaults) and moves to the next stage. */
  next(response: CommandResponse, values?: LooseFormValues): Promise<CommandResponse> {
    return this.#advance(response, "next", values);
  }

  /** Submits `values` and finishes the command. */
  complete(response: CommandResponse, values?: LooseFormValues): Promise<CommandResponse> {
    return this.#advance(response, "complete", values);
  }

  /** Goes back to the previous stage. */
  async prev(response: CommandResponse): Promise<CommandResponse> {
    return this.#send(response.jid, this.#command(response, "prev"));
  }

  /** Ends the session. */
  async cancel(response: CommandResponse): Promise<CommandResponse> {
    return this.#send(response.jid, this.#command(response, "cancel"));
  }

  async #advance(
    response: CommandResponse,
    action: "next" | "complete",
    values: LooseFormValues | undefined,
  ): Promise<CommandResponse> {
    let form: DataForm | undefined;
    if (response.form?.type === "form") {
      form = fillForm(response.form, values);
      // The entity's regex patterns are not run: a crafted one could backtrack for minutes.
      const check = validateSubmission(response.form, form, { trustRegex: false });
      const errors = [...unknownNames(response.form, values), ...(check.errors ?? [])];
      if (errors.length > 0) {
        throw new CommandsError(
          "invalid-form",
          `the form is not filled in correctly: ${errors.map((e) => e.message).join("; ")}`,
          { fields: errors },
        );
      }
    }
    return this.#send(response.jid, this.#command(response, action, form));
  }

  #command(response: CommandResponse, action: string, form?: DataForm): Element {
    if (response.status !== "executing" || response.sessionId === undefined)
      throw new CommandsError(
        "bad-sessionid",
        `the session is ${response.status}; start a new one`,
      );
    return xml(
      "command",
      { xmlns: NS_COMMANDS, node: response.node, sessionid: response.sessionId, action },
      form && formElement(form),
    );
  }

  async #send(jid: string, command: Element): Promise<CommandResponse> {
    const result = await this.#call("set", command, jid);
    return parseCommandResponse(
      jid,
      command.attrs.node as string,
      result,
      this.#options.formLimits,
    );
  }

  async #call(type: "get" | "set", child: Element, jid: string): Promise<Element> {
    try {
      return await this.#iq[type](child, jid, { timeout: this.#options.requestTimeout });
    } catch (error) {
      if (error instanceof StanzaError) throw CommandsError.fromStanzaError(error);
      throw error;
    }
  }
}
