/**
 * The "Answer an approval" ad-hoc command (XEP-0050 with an XEP-0004 form):
 * the waiting exec approvals as a list, the decision as another, both
 * required; completing it answers the approval like a reaction or a typed
 * `/approve` would, and returns OpenClaw's confirmation as the result.
 */
import {
  type CommandDefinition,
  completed,
  dataForm,
  executing,
  listSingleField,
} from "@clawxmpp/commands";
import type { Jid } from "@clawxmpp/core";
import { type ApprovalDecision, type ApprovalTracker, DECISIONS } from "./approvals.js";

/** The node of the command. */
export const APPROVAL_NODE = "xmpp/answer-approval";

const LABELS: Record<ApprovalDecision, string> = {
  "allow-once": "✅ Allow once",
  "allow-always": "♾️ Allow always",
  deny: "❌ Deny",
};

/** The command; `answer` runs the decision and resolves OpenClaw's replies. */
export function approvalCommand(deps: {
  tracker: ApprovalTracker;
  allowed: (requester: Jid) => boolean;
  answer: (requester: Jid, id: string, decision: ApprovalDecision) => Promise<string[]>;
}): CommandDefinition {
  return {
    node: APPROVAL_NODE,
    name: "Answer an approval",
    allowed: deps.allowed,
    async run(request) {
      if (request.form === undefined) {
        const pending = deps.tracker.list();
        if (pending.length === 0) return completed("No approval is waiting.");
        const offered = DECISIONS.filter((d) => pending.some((p) => p.decisions.includes(d)));
        const form = dataForm({
          title: "Answer an approval",
          instructions: "Pick the request and your decision.",
          fields: [
            listSingleField(
              "approval",
              pending.map((p) => ({
                value: p.id,
                label: p.command === undefined ? p.id : `${p.id}: ${p.command.slice(0, 120)}`,
              })),
              { label: "Request", required: true, value: pending.at(-1)!.id },
            ),
            listSingleField(
              "decision",
              offered.map((d) => ({ value: d, label: LABELS[d] })),
              { label: "Decision", required: true },
            ),
          ],
        });
        return executing(form, { actions: ["complete"] });
      }
      const id = String(request.values?.approval ?? "");
      const decision = String(request.values?.decision ?? "") as ApprovalDecision;
      const approval = deps.tracker.get(id);
      if (approval === undefined)
        return completed({
          notes: [
            { type: "error", text: `Approval ${id} is no longer waiting (expired or answered).` },
          ],
        });
      if (!approval.decisions.includes(decision))
        return completed({
          notes: [{ type: "error", text: `"${decision}" is not offered for approval ${id}.` }],
        });
      const replies = await deps.answer(request.requester, id, decision);
      return completed(replies.join("\n\n").slice(0, 4_000) || `/approve ${id} ${decision} sent.`);
    },
  };
}
