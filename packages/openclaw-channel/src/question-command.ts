/**
 * The "Answer a question" ad-hoc command (XEP-0050 with an XEP-0004 form):
 * the agent's waiting question in the requester's chat as a list of its
 * options, plus a free answer line when OpenClaw accepts one. Completing it
 * sends the option's number (or the free answer) as the requester's reply.
 */
import {
  type CommandDefinition,
  completed,
  dataForm,
  executing,
  listSingleField,
  textSingleField,
} from "@clawxmpp/commands";
import type { Jid } from "@clawxmpp/core";
import type { QuestionTracker } from "./agent-questions.js";

/** The node of the command. */
export const QUESTION_NODE = "xmpp/answer-question";

/** The command; `answer` sends the reply text and resolves OpenClaw's replies. */
export function questionCommand(deps: {
  tracker: QuestionTracker;
  allowed: (requester: Jid) => boolean;
  answer: (requester: Jid, text: string) => Promise<string[]>;
}): CommandDefinition {
  return {
    node: QUESTION_NODE,
    name: "Answer a question",
    allowed: deps.allowed,
    async run(request) {
      const conversation = request.requester.bare;
      const question = deps.tracker.get(conversation);
      if (question === undefined) return completed("No question is waiting.");
      if (request.form === undefined) {
        const choices = question.options.map((label, i) => ({ value: String(i + 1), label }));
        const form = dataForm({
          title: "Answer a question",
          instructions: question.question.slice(0, 2_000),
          fields: [
            listSingleField("choice", choices, {
              label: "Answer",
              required: !question.other,
            }),
            ...(question.other ? [textSingleField("other", { label: "Or your own answer" })] : []),
          ],
        });
        return executing(form, { actions: ["complete"] });
      }
      const other = String(request.values?.other ?? "").trim();
      const choice = String(request.values?.choice ?? "");
      const text = other !== "" ? other.replace(/\s+/gu, " ").slice(0, 2_000) : choice;
      if (text === "")
        return completed({
          notes: [{ type: "error", text: "Pick an option or write an answer." }],
        });
      deps.tracker.answered(conversation);
      const replies = await deps.answer(request.requester, text);
      return completed(replies.join("\n\n").slice(0, 4_000) || `Answered: ${text}`);
    },
  };
}
