/**
 * The responder side of XEP-0050 command sessions (§3.3–§3.4): `execute`/
 * `next`/`prev`/`complete`/`cancel`, data-form validation of every submitted
 * stage, and the §4.6 errors. Every request is checked against the
 * command's visibility rule (kept by the registry).
 */
import {
  type Clock,
  type Element,
  type Jid,
  type Logger,
  StanzaError,
  TimeoutError,
  tryParseJid,
} from "@clawxmpp/core";
import { commandElement, commandStanzaError, stageActions } from "./command-element.js";
import type { CommandRegistry } from "./command-registry.js";
import type { CommandDefinition, CommandStage } from "./command-types.js";
import type { CommandsOptions } from "./commands-options.js";
import { findForm } from "./form-parse.js";
import type { DataForm, LooseFormValues } from "./form-types.js";
import { validateSubmission } from "./form-validate.js";
import { type CommandSession, SessionStore } from "./session-store.js";
import { runStage } from "./stage-runner.js";

const ACTIONS = new Set(["execute", "next", "prev", "complete", "cancel"]);
/** Stages kept per session for `prev`. */
const MAX_HISTORY = 32;

/** Serves registered commands. */
export class CommandServer {
  readonly #registry: CommandRegistry;
  readonly #sessions: SessionStore;
  readonly #options: CommandsOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(deps: {
    registry: CommandRegistry;
    options: CommandsOptions;
    clock: Clock;
    logger: Logger;
  }) {
    this.#registry = deps.registry;
    this.#options = deps.options;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#sessions = new SessionStore(
      {
        maxSessions: deps.options.maxSessions,
        maxSessionsPerRequester: deps.options.maxSessionsPerRequester,
        timeout: deps.options.sessionTimeout,
        rememberExpired: deps.options.rememberExpired,
      },
      deps.clock,
      (session) => this.#logger.debug("command session expired", { node: session.node }),
    );
  }

  /** Open sessions: in total, and of one requester when given. */
  openSessions(requester?: string): number {
    const jid = tryParseJid(requester);
    return requester === undefined ? this.#sessions.size : jid ? this.#sessions.countFor(jid) : 0;
  }

  /** Ends every session. */
  stop(): void {
    this.#sessions.clear();
  }

  /** Answers one `<command/>` request (§3.3); throws a StanzaError for every §4.6 error. */
  async handle(from: string | undefined, request: Element): Promise<Element> {
    const requester = tryParseJid(from);
    if (!requester) throw commandStanzaError("bad-request", "modify", "no valid sender");
    const node = request.attrs.node;
    const action = request.attrs.action ?? "execute";
    if (!ACTIONS.has(action))
      throw commandStanzaError("bad-request", "modify", "unknown action", "malformed-action");
    const command = this.#registry.get(node);
    if (!command || node === undefined)
      throw commandStanzaError("item-not-found", "cancel", "no such command");
    const sessionId = request.attrs.sessionid;
    if (!(await this.#registry.allowed(command, requester))) {
      const session =
        sessionId === undefined ? undefined : this.#sessions.get(sessionId, requester);
      if (typeof session === "object") this.#sessions.close(session);
      throw commandStanzaError("forbidden", "auth", "you may not run this command");
    }
    if (sessionId === undefined) {
      if (action !== "execute")
        throw commandStanzaError(
          "bad-request",
          "modify",
          "no session to continue",
          "bad-sessionid",
        );
      return this.#start(command, requester);
    }
    const session = this.#sessions.get(sessionId, requester);
    if (session === "expired")
      throw commandStanzaError("not-allowed", "cancel", "the session expired", "session-expired");
    if (!session || session.node !== node)
      throw commandStanzaError("bad-request", "modify", "unknown session", "bad-sessionid");
    if (session.busy)
      throw commandStanzaError(
        "resource-constraint",
        "wait",
        "the previous stage is still running",
      );
    if (action === "cancel") {
      this.#sessions.close(session);
      return commandElement(node, session.id, "canceled");
    }
    return this.#continue(
      command,
      session,
      action as "execute" | "next" | "prev" | "complete",
      request,
    );
  }

  async #start(command: CommandDefinition, requester: Jid): Promise<Element> {
    const session = this.#sessions.open(command.node, requester);
    if (session === "requester-limit")
      throw commandStanzaError(
        "resource-constraint",
        "wait",
        `too many open command sessions (at most ${this.#options.maxSessionsPerRequester}); complete or cancel one`,
      );
    if (session === "total-limit")
      throw commandStanzaError("resource-constraint", "wait", "too many open command sessions");
    return this.#run(command, session, "execute", undefined, undefined);
  }

  async #continue(
    command: CommandDefinition,
    session: CommandSession,
    requested: "execute" | "next" | "prev" | "complete",
    request: Element,
  ): Promise<Element> {
    const current = session.history.at(-1);
    if (!current)
      throw commandStanzaError("bad-request", "modify", "unknown session", "bad-sessionid");
    const { allowed, execute } = stageActions(current);
    const action = requested === "execute" ? execute : requested;
    if (!allowed.includes(action))
      throw commandStanzaError(
        "bad-request",
        "modify",
        `${action} is not offered here`,
        "bad-action",
      );
    this.#sessions.touch(session);
    if (action === "prev") {
      if (session.history.length < 2)
        throw commandStanzaError(
          "bad-request",
          "modify",
          "there is no previous stage",
          "bad-action",
        );
      session.history.pop();
      session.stage--;
      return commandElement(command.node, session.id, "executing", session.history.at(-1));
    }
    let submitted: DataForm | undefined;
    try {
      submitted = findForm(request, this.#options.formLimits);
    } catch (error) {
      throw commandStanzaError("bad-request", "modify", errorText(error), "bad-payload");
    }
    if (submitted?.type === "cancel") {
      this.#sessions.close(session);
      return commandElement(command.node, session.id, "canceled");
    }
    const shown = current.form?.type === "form" ? current.form : undefined;
    if (!shown) return this.#run(command, session, action, undefined, undefined);
    const result = validateSubmission(
      shown,
      submitted ?? { type: "submit", instructions: [], fields: [] },
    );
    if (!result.ok) {
      const text = result.errors.map((e) => e.message).join("; ");
      throw commandStanzaError("bad-request", "modify", text.slice(0, 2_000), "bad-payload");
    }
    return this.#run(command, session, action, shown, result.values);
  }

  async #run(
    command: CommandDefinition,
    session: CommandSession,
    action: "execute" | "next" | "complete",
    form: DataForm | undefined,
    values: LooseFormValues | undefined,
  ): Promise<Element> {
    session.busy = true;
    let stage: CommandStage;
    try {
      stage = await runStage(command, session, {
        action,
        form,
        values,
        clock: this.#clock,
        timeout: this.#options.stageTimeout,
      });
    } catch (error) {
      this.#sessions.close(session);
      if (error instanceof StanzaError) throw error;
      if (error instanceof TimeoutError)
        throw commandStanzaError("internal-server-error", "cancel", "the command took too long");
      this.#logger.warn("a command handler failed", {
        node: command.node,
        error: errorText(error),
      });
      throw commandStanzaError("internal-server-error", "cancel", "the command failed");
    } finally {
      session.busy = false;
    }
    if (session.abort.signal.aborted) {
      // Cancelled or expired while the handler ran: the session is gone.
      throw commandStanzaError("not-allowed", "cancel", "the session ended", "session-expired");
    }
    if (stage.status === "completed") {
      this.#sessions.close(session);
      return commandElement(command.node, session.id, "completed", stage);
    }
    session.history.push(stage);
    session.stage++;
    // A command that never completes must not grow the session without end: `prev` reaches back
    // only so far.
    if (session.history.length > MAX_HISTORY) session.history.shift();
    this.#sessions.touch(session);
    return commandElement(command.node, session.id, "executing", stage);
  }
}

/** The message without our `[commands]` prefix, which means nothing to the requester. */
function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/^\[commands\] /u, "");
}
