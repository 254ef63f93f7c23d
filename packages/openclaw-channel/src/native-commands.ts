/**
 * OpenClaw's native command menu as XEP-0050 ad-hoc commands on the bot's
 * JID (what Telegram's `/` menu and Discord's slash commands are elsewhere).
 * Each command is one node; a command that takes arguments first shows an
 * XEP-0004 form (a list for fixed choices, a text line otherwise). Running it
 * sends `/<name> <args>` as the owner's own turn in their direct chat with the
 * bot, so OpenClaw applies its normal command handling and authority checks;
 * the replies go to that chat and come back as the command's result notes.
 *
 * Only senders with command authority (owners, `allowFrom`) see or run them:
 * the `allowed` rule gates the list, disco#info and every stage.
 */
import {
  type CommandDefinition,
  type CommandNote,
  completed,
  dataForm,
  executing,
  type FormField,
  listSingleField,
  textSingleField,
} from "@clawxmpp/commands";
import type { Jid } from "@clawxmpp/core";

/** One argument of a native command (OpenClaw's `CommandArgDefinition`, the part we use). */
export interface NativeCommandArg {
  name: string;
  description?: string;
  type?: string;
  required?: boolean;
  /** Fixed choices; a provider function (context-dependent choices) is treated as free text. */
  choices?: unknown;
  captureRemaining?: boolean;
}

/** One native command (OpenClaw's `NativeCommandSpec`). */
export interface NativeCommandSpec {
  name: string;
  description: string;
  acceptsArgs: boolean;
  args?: readonly NativeCommandArg[];
  isAlias?: boolean;
}

/** Runs a command line as `requester`'s turn; resolves the reply texts. */
export type RunCommandLine = (requester: Jid, line: string) => Promise<string[]>;

/** The node prefix of OpenClaw commands (XEP-0050 nodes are opaque strings). */
export const NATIVE_NODE_PREFIX = "openclaw/";
/** Most native commands served: the menu stays usable and well under the plugin's bound. */
export const MAX_NATIVE_COMMANDS = 80;
/** Longest result text returned in the command's notes. */
const MAX_RESULT_CHARS = 4_000;
const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/iu;
const MAX_CHOICES = 100;

/** The ad-hoc commands for `specs`: aliases and odd names skipped, at most {@link MAX_NATIVE_COMMANDS}. */
export function nativeCommandDefinitions(
  specs: readonly NativeCommandSpec[],
  deps: { allowed: (requester: Jid) => boolean; run: RunCommandLine },
): CommandDefinition[] {
  const seen = new Set<string>();
  const definitions: CommandDefinition[] = [];
  for (const spec of specs) {
    if (spec.isAlias || typeof spec.name !== "string" || !NAME.test(spec.name)) continue;
    const name = spec.name.toLowerCase();
    if (seen.has(name)) continue;
    seen.add(name);
    definitions.push(definitionFor(spec, name, deps));
    if (definitions.length >= MAX_NATIVE_COMMANDS) break;
  }
  return definitions;
}

function definitionFor(
  spec: NativeCommandSpec,
  name: string,
  deps: { allowed: (requester: Jid) => boolean; run: RunCommandLine },
): CommandDefinition {
  const form = spec.acceptsArgs ? argumentForm(spec) : undefined;
  const description = String(spec.description ?? "").slice(0, 200);
  return {
    node: `${NATIVE_NODE_PREFIX}${name}`,
    name: description ? `/${name} — ${description}` : `/${name}`,
    allowed: deps.allowed,
    async run(request) {
      if (form !== undefined && request.form === undefined) {
        return executing(form, { actions: ["complete"] });
      }
      const line = commandLine(name, spec, request.values);
      const replies = await deps.run(request.requester, line);
      return completed({ notes: resultNotes(line, replies) });
    },
  };
}

/** One field per declared argument, or a single free `args` line. */
function argumentForm(spec: NativeCommandSpec) {
  const args = (spec.args ?? []).filter(
    (arg) => typeof arg?.name === "string" && NAME.test(arg.name),
  );
  const fields: FormField[] =
    args.length === 0
      ? [textSingleField("args", { label: "Arguments" })]
      : args.map((arg) => {
          const init = {
            label: arg.name,
            ...(arg.description ? { desc: String(arg.description).slice(0, 500) } : {}),
            required: arg.required === true,
          };
          const choices = fixedChoices(arg.choices);
          return choices === undefined
            ? textSingleField(arg.name, init)
            : listSingleField(arg.name, choices, init);
        });
  const instructions = String(spec.description ?? "").slice(0, 500);
  return dataForm({ title: `/${spec.name}`, fields, ...(instructions ? { instructions } : {}) });
}

function fixedChoices(choices: unknown): { value: string; label?: string }[] | undefined {
  if (!Array.isArray(choices) || choices.length === 0) return undefined;
  const out: { value: string; label?: string }[] = [];
  for (const choice of choices.slice(0, MAX_CHOICES)) {
    if (typeof choice === "string") out.push({ value: choice });
    else if (typeof choice === "object" && choice !== null && "value" in choice) {
      const { value, label } = choice as { value: unknown; label?: unknown };
      if (typeof value !== "string") continue;
      out.push(typeof label === "string" ? { value, label } : { value });
    }
  }
  return out.length > 0 ? out : undefined;
}

/** `/name a b c`: the submitted values in argument order; line breaks become spaces. */
export function commandLine(
  name: string,
  spec: Pick<NativeCommandSpec, "args">,
  values: Record<string, unknown> | undefined,
): string {
  const order = (spec.args ?? []).map((arg) => arg.name);
  const names = order.length > 0 ? order : ["args"];
  const parts = names
    .map((key) => values?.[key])
    .filter((value): value is string => typeof value === "string" && value.trim() !== "")
    .map((value) => value.replace(/\s+/gu, " ").trim());
  return [`/${name}`, ...parts].join(" ");
}

function resultNotes(line: string, replies: readonly string[]): CommandNote[] {
  const text = replies.join("\n\n").trim();
  if (text === "")
    return [{ type: "info", text: `${line}: done (replies, if any, go to your chat)` }];
  const clipped = text.length > MAX_RESULT_CHARS ? `${text.slice(0, MAX_RESULT_CHARS)}…` : text;
  return [{ type: "info", text: clipped }];
}
