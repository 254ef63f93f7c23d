/**
 * Runs one stage of a served command: builds the request the handler sees,
 * bounds its run time, and checks that what it returned is a stage the
 * protocol can express (XEP-0050 §3.4).
 */
import { type Clock, TimeoutError } from "@clawxmpp/core";
import type { CommandDefinition, CommandRequest, CommandStage } from "./command-types.js";
import { CommandsError } from "./commands-error.js";
import type { DataForm, LooseFormValues } from "./form-types.js";
import type { CommandSession } from "./session-store.js";

/** Calls `command.run` for the session's next stage. */
export async function runStage(
  command: CommandDefinition,
  session: CommandSession,
  input: {
    action: "execute" | "next" | "complete";
    form: DataForm | undefined;
    values: LooseFormValues | undefined;
    clock: Clock;
    timeout: number;
  },
): Promise<CommandStage> {
  const { form, values } = input;
  const request: CommandRequest = {
    requester: session.requester,
    node: command.node,
    sessionId: session.id,
    action: input.action,
    stage: session.stage,
    form,
    values,
    valuesOf(expected) {
      if (expected !== form || values === undefined)
        throw new CommandsError(
          "invalid-form",
          "valuesOf() was given a form other than the one shown",
        );
      return values as never;
    },
    state: session.state,
    signal: session.abort.signal,
  };
  let cancel = () => {};
  const timeout = new Promise<never>((_, reject) => {
    cancel = input.clock.setTimeout(
      () => reject(new TimeoutError(`command ${command.node}`, input.timeout)),
      input.timeout,
    );
  });
  try {
    const stage = await Promise.race([command.run(request), timeout]);
    return checkStage(command.node, stage);
  } finally {
    cancel();
  }
}

function checkStage(node: string, stage: CommandStage): CommandStage {
  if (!stage || (stage.status !== "executing" && stage.status !== "completed"))
    throw new CommandsError("bad-payload", `command ${node} returned no valid stage`);
  if (stage.defaultAction && stage.actions && !stage.actions.includes(stage.defaultAction))
    throw new CommandsError("bad-payload", `command ${node}: defaultAction is not among actions`);
  return stage;
}
