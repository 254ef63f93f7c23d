/**
 * The `<command/>` element (XEP-0050 §3.4) a responder sends back, and the
 * error stanzas of §4.6: an RFC 6120 condition plus the application
 * condition in the commands namespace.
 */
import { type Element, StanzaError, xml } from "@clawxmpp/core";
import type { CommandNote, CommandStage, CommandStatus, StageAction } from "./command-types.js";
import type { CommandCondition } from "./commands-error.js";
import { formElement } from "./form-element.js";
import { NS_COMMANDS, NS_STANZAS } from "./namespaces.js";

/** The actions a stage offers and which one plain `execute` means (§3.4.4). */
export function stageActions(stage: CommandStage): {
  allowed: StageAction[];
  execute: StageAction;
} {
  const allowed =
    stage.actions && stage.actions.length > 0 ? [...stage.actions] : ["complete" as const];
  const forward = allowed.filter((a) => a !== "prev");
  const fallback = forward.includes("next") ? "next" : (forward[0] ?? "complete");
  const execute =
    stage.defaultAction && allowed.includes(stage.defaultAction) ? stage.defaultAction : fallback;
  return { allowed, execute };
}

/** The response payload for one stage of session `sessionId`. */
export function commandElement(
  node: string,
  sessionId: string,
  status: CommandStatus,
  stage?: CommandStage,
): Element {
  const actions = status === "executing" && stage ? stageActions(stage) : undefined;
  return xml(
    "command",
    { xmlns: NS_COMMANDS, node, sessionid: sessionId, status },
    actions &&
      xml(
        "actions",
        { execute: actions.execute },
        ...(["prev", "next", "complete"] as const)
          .filter((a) => actions.allowed.includes(a))
          .map((a) => xml(a)),
      ),
    ...(stage?.notes ?? []).map((note: CommandNote) => xml("note", { type: note.type }, note.text)),
    stage?.form && formElement(stage.form),
  );
}

/**
 * A §4.6 error. The application condition goes into the `<error/>` element carried by the
 * StanzaError and, so that requesters see it whatever the transport keeps, at the start of the text.
 */
export function commandStanzaError(
  condition: string,
  type: "cancel" | "modify" | "wait" | "auth",
  text: string,
  app?: CommandCondition,
): StanzaError {
  const fullText = app ? `${app}: ${text}` : text;
  const stanza = xml(
    "iq",
    { type: "error" },
    xml(
      "error",
      { type },
      xml(condition, { xmlns: NS_STANZAS }),
      xml("text", { xmlns: NS_STANZAS }, fullText),
      app && xml(app, { xmlns: NS_COMMANDS }),
    ),
  );
  return new StanzaError(condition, type, fullText, stanza);
}
