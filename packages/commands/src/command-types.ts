/**
 * What a served command is (XEP-0050 §3): a node with a name, a visibility
 * rule for each requester, and a handler called once per stage. The stage
 * it returns is either `executing` (show a form, offer actions) or
 * `completed` (final notes, optionally a result form).
 */
import type { Jid } from "@clawxmpp/core";
import type { TypedForm } from "./form-builder.js";
import type { DataForm, FormField, FormValues, LooseFormValues } from "./form-types.js";

/** A note to show the user (§3.4.6). */
export interface CommandNote {
  type: "info" | "warn" | "error";
  text: string;
}

/** Actions a stage may offer besides `cancel` (§3.4.4). */
export type StageAction = "next" | "prev" | "complete";

/** Every action a requester may send (§3.4). */
export type CommandAction = "execute" | StageAction | "cancel";

/** Status of a command session (§3.4.2). */
export type CommandStatus = "executing" | "completed" | "canceled";

/** What a handler returns for one stage. */
export interface CommandStage {
  /** `executing` keeps the session open for another stage; `completed` ends it. */
  status: "executing" | "completed";
  /** A form to fill in (executing) or a `result` form (completed). */
  form?: DataForm | undefined;
  /**
   * Actions offered while executing. @default ["complete"] (a single-stage form); the library adds
   * `prev` by itself on a later stage only when listed here.
   */
  actions?: readonly StageAction[] | undefined;
  /** The action the requester's plain `execute` stands for. @default the last of `actions` */
  defaultAction?: StageAction | undefined;
  notes?: readonly CommandNote[] | undefined;
}

/** What a handler receives. */
export interface CommandRequest {
  /** Who runs the command (full JID, normalised). */
  requester: Jid;
  node: string;
  sessionId: string;
  /** `execute` for the first stage, then `next` or `complete` (plain `execute` is mapped per §3.4.4). */
  action: "execute" | "next" | "complete";
  /** How many stages the requester has moved forward so far (0 on the first call). */
  stage: number;
  /** The form the values answer; undefined on the first stage. */
  form: DataForm | undefined;
  /** Validated values of the submitted form; undefined when no form was shown. */
  values: LooseFormValues | undefined;
  /** `values`, typed by the form that was shown (which must be `form`). */
  valuesOf<F extends readonly FormField[]>(form: TypedForm<F>): FormValues<F>;
  /** Scratch space kept for the whole session. */
  readonly state: Map<string, unknown>;
  /** Aborted when the session is cancelled, expires, or the plugin stops. */
  readonly signal: AbortSignal;
}

/** A command to serve. */
export interface CommandDefinition {
  /** The command's node (unique per plugin). */
  node: string;
  /** Name shown in command lists. */
  name: string;
  /**
   * Whether `requester` may see and run this command; asked for disco#items, disco#info and every
   * stage. Overrides the plugin's `allowed` option.
   */
  allowed?: ((requester: Jid) => boolean | Promise<boolean>) | undefined;
  /** Runs one stage. Throw a core `StanzaError` to answer with that condition. */
  run(request: CommandRequest): CommandStage | Promise<CommandStage>;
}

/** A stage that shows `form` and waits for the answer. */
export function executing(
  form: DataForm,
  options: Omit<CommandStage, "status" | "form"> = {},
): CommandStage {
  return { ...options, status: "executing", form };
}

/** The final stage: notes and an optional result form. */
export function completed(
  options: { notes?: readonly CommandNote[]; form?: DataForm } | string = {},
): CommandStage {
  if (typeof options === "string")
    return { status: "completed", notes: [{ type: "info", text: options }] };
  return { ...options, status: "completed" };
}
