/**
 * Reads a responder's `<command/>` answer (XEP-0050 §3.4): status, session
 * id, offered actions and the `execute` default (§3.4.4; without `<actions/>`
 * only `complete` is offered), notes (§3.4.6) and the form. The answer is
 * hostile input: notes and forms are bounded, nonsense is `bad-payload`.
 */
import type { Element } from "@clawxmpp/core";
import type { CommandNote, CommandStatus, StageAction } from "./command-types.js";
import { CommandsError } from "./commands-error.js";
import type { FormLimits } from "./form-limits.js";
import { findForm } from "./form-parse.js";
import type { DataForm } from "./form-types.js";
import { NS_COMMANDS } from "./namespaces.js";

/** One answer of a remote command. */
export interface CommandResponse {
  /** The entity asked. */
  jid: string;
  node: string;
  /** The session to continue; undefined only when the entity completed at once without one. */
  sessionId: string | undefined;
  status: CommandStatus;
  /** The form to fill in (status `executing`) or a result form. */
  form: DataForm | undefined;
  /** What may be sent next; empty once the session is over. */
  actions: { allowed: StageAction[]; execute: StageAction | undefined };
  notes: CommandNote[];
}

const MAX_NOTES = 50;
const STATUSES = new Set(["executing", "completed", "canceled"]);

/** Reads the `<command/>` answer to a request for `node` sent to `jid`; throws `bad-payload` when malformed. */
export function parseCommandResponse(
  jid: string,
  node: string,
  result: Element,
  limits: FormLimits,
): CommandResponse {
  const command = result.getChild("command", NS_COMMANDS);
  if (!command) throw new CommandsError("bad-payload", "the answer has no <command/>");
  const status = command.attrs.status ?? "completed";
  if (!STATUSES.has(status)) throw new CommandsError("bad-payload", "unknown command status");
  const sessionId = command.attrs.sessionid;
  if (status === "executing" && (!sessionId || sessionId.length > 1_000))
    throw new CommandsError("bad-payload", "an executing command without a session id");
  const maxText = limits.maxValueLength;
  const notes: CommandNote[] = [];
  for (const child of command.getChildElements()) {
    if (child.name !== "note" || notes.length >= MAX_NOTES) continue;
    const type =
      child.attrs.type === "warn" || child.attrs.type === "error" ? child.attrs.type : "info";
    notes.push({ type, text: child.text().slice(0, maxText) });
  }
  const actionsEl = status === "executing" ? command.getChild("actions") : undefined;
  const allowed = (["prev", "next", "complete"] as const).filter((a) => actionsEl?.getChild(a));
  const offered: StageAction[] = status !== "executing" ? [] : actionsEl ? allowed : ["complete"];
  const execute = actionsEl?.attrs.execute;
  return {
    jid,
    node,
    sessionId,
    status: status as CommandStatus,
    form: findForm(command, limits),
    actions: {
      allowed: offered,
      execute:
        status !== "executing"
          ? undefined
          : offered.includes(execute as StageAction)
            ? (execute as StageAction)
            : offered.includes("next")
              ? "next"
              : offered[0],
    },
    notes,
  };
}
