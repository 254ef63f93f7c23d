/**
 * Wires XEP-0050 ad-hoc commands, exec approvals and agent questions into a
 * running account: the `commands` plugin serving OpenClaw's native commands
 * and the "Answer an approval" / "Answer a question" forms, an outbound stage
 * that recognises approval prompts and questions as they are sent
 * (`approvals.ts`, `agent-questions.ts`), and XEP-0444 reactions that answer
 * them. Everything a requester does ends as an owner's slash command
 * turn through the inbound handler, so OpenClaw's own command authority and
 * approver checks apply; our gate in front is the owner list (`allowFrom`).
 */
import { type CommandsHandle, commands } from "@clawxmpp/commands";
import { type Client, definePlugin, type Element, type Jid, type Logger } from "@clawxmpp/core";
import type { MarkersHandle, ReactionEvent } from "@clawxmpp/markers";
import type { ResolvedXmppAccount } from "./accounts.js";
import { KEYCAPS, parseQuestionPrompt, QuestionTracker, questionHint } from "./agent-questions.js";
import { approvalCommand } from "./approval-command.js";
import {
  type ApprovalDecision,
  ApprovalTracker,
  endedApprovalId,
  type PendingApproval,
  parseApprovalPrompt,
  REACTION_DECISIONS,
  reactionHint,
} from "./approvals.js";
import { policyFor } from "./channel-policy.js";
import type { InboundHandler } from "./inbound.js";
import { type NativeCommandSpec, nativeCommandDefinitions } from "./native-commands.js";
import type { ReplyPayload } from "./openclaw-sdk.js";
import { questionCommand } from "./question-command.js";

/** Longest an ad-hoc command waits for OpenClaw's replies to its command turn. */
export const COMMAND_REPLY_TIMEOUT_MS = 45_000;

const TYPED_APPROVE = /^\s*\/approve\s+(\S{1,200})\s+(?:allow-once|allow-always|deny)\s*$/iu;

/** Imports `specifier` from the host's `openclaw` package; the name is not static on purpose. */
const importHost = (specifier: string): Promise<Record<string, unknown>> => import(specifier);

/** OpenClaw's native commands enabled by `cfg` for this channel (empty without the host SDK). */
export async function loadNativeCommandSpecs(cfg: unknown): Promise<NativeCommandSpec[]> {
  const registry = await importHost("openclaw/plugin-sdk/native-command-registry");
  const list = registry.listNativeCommandSpecsForConfig as
    | ((cfg: unknown, params?: { provider?: string }) => NativeCommandSpec[])
    | undefined;
  return list === undefined ? [] : list(cfg, { provider: "xmpp" });
}

/** What {@link startChannelCommands} needs. */
export interface ChannelCommandsDeps {
  client: Client;
  account: ResolvedXmppAccount;
  markers: MarkersHandle | undefined;
  /** Runs owner command turns; without it nothing is served. */
  inbound: Pick<InboundHandler, "command"> | undefined;
  logger: Logger;
  /** OpenClaw's native command list; default: read from the host SDK with `cfg`. */
  specs: () => Promise<readonly NativeCommandSpec[]>;
}

/** What the account keeps. */
export interface ChannelCommands {
  commands: CommandsHandle;
  approvals: ApprovalTracker;
  questions: QuestionTracker;
}

/** The outbound stage: approval prompts and agent questions get the reaction line and are tracked. */
const promptWatch = definePlugin(
  "prompt-watch",
  (ctx, trackers: { approvals: ApprovalTracker | undefined; questions: QuestionTracker }) => {
    ctx.outbound.use("build", ({ stanza }) => notePrompt(stanza, trackers));
    ctx.onStop(() => {
      trackers.approvals?.clear();
      trackers.questions.clear();
    });
    return { stop() {} };
  },
);

function notePrompt(
  stanza: Element,
  trackers: { approvals: ApprovalTracker | undefined; questions: QuestionTracker },
): void {
  if (stanza.name !== "message" || stanza.attrs.type === "groupchat") return;
  // A correction (ours, marking a prompt expired) is not a new prompt.
  if (stanza.getChild("replace", "urn:xmpp:message-correct:0") !== undefined) return;
  const body = stanza.getChild("body");
  const to = stanza.attrs.to;
  if (body === undefined || to === undefined) return;
  const text = body.text();
  const ended = endedApprovalId(text);
  if (ended !== undefined) {
    trackers.approvals?.answered(ended);
    return;
  }
  const approval = trackers.approvals === undefined ? undefined : parseApprovalPrompt(text);
  const question = approval === undefined ? parseQuestionPrompt(text) : undefined;
  if (approval?.decisions.length === 0 || (approval === undefined && question === undefined))
    return;
  const originId = stanza.getChild("origin-id", "urn:xmpp:sid:0")?.attrs.id;
  // The id is otherwise assigned after the stages; clients reference either, so make them one.
  if (stanza.attrs.id === undefined && originId !== undefined) stanza.attrs.id = originId;
  const ids = [...new Set([stanza.attrs.id, originId])].filter(
    (id): id is string => typeof id === "string",
  );
  const conversation = to.split("/")[0]!.toLowerCase();
  if (approval !== undefined) {
    trackers.approvals?.track(approval, conversation, ids);
    body.children = [`${text}\n\n${reactionHint(approval.decisions)}`];
  } else if (question !== undefined) {
    trackers.questions.track(question, conversation, ids);
    body.children = [`${text}\n\n${questionHint(question.options.length)}`];
  }
}

/** Uses the plugins on `client`; returns undefined when disabled or there is nothing to run turns. */
export function startChannelCommands(deps: ChannelCommandsDeps): ChannelCommands | undefined {
  const { client, account, logger, inbound } = deps;
  if (!account.adHocCommands.enabled || inbound?.command === undefined) return undefined;
  const policy = policyFor(account, () => false);
  const isOwner = (jid: Jid) => policy.decide({ kind: "dm", from: jid.bare }).sender === "owner";
  const runLine = (requester: Jid, line: string) =>
    runCommandTurn(inbound, requester, line, logger);
  const handle = client.use(commands, {
    allowed: (requester) => isOwner(requester),
    stageTimeout: COMMAND_REPLY_TIMEOUT_MS + 5_000,
  });
  const send = (to: string, body: string) =>
    client
      .send({ to, type: "chat", body })
      .then(() => undefined)
      .catch((error: unknown) =>
        logger.warn("could not send an approval notice", { error: String(error) }),
      );
  // XEP-0308: the expired prompt itself says so (OpenClaw also posts its own expiry notice);
  // without the markers plugin, a notice of ours stands in.
  const onExpired = (approval: PendingApproval) => {
    const original = approval.messageIds[0];
    if (deps.markers === undefined || original === undefined) {
      void send(approval.conversation, expiredText(approval));
      return;
    }
    void deps.markers
      .correct(approval.conversation, original, expiredText(approval))
      .catch((error: unknown) =>
        logger.warn("could not mark an approval prompt expired", { error: String(error) }),
      );
  };
  const tracker = new ApprovalTracker(
    { now: () => Date.now(), setTimeout: (fn, ms) => clockTimeout(fn, ms) },
    onExpired,
  );
  const questions = new QuestionTracker({
    now: () => Date.now(),
    setTimeout: (fn, ms) => clockTimeout(fn, ms),
  });
  client.use(promptWatch, {
    approvals: account.adHocCommands.approvals ? tracker : undefined,
    questions,
  });
  handle.add(
    questionCommand({
      tracker: questions,
      allowed: isOwner,
      answer: (r, text) => runLine(r, text),
    }),
  );
  deps.markers?.on("reaction", (event) => void onQuestionReaction(event));
  // A typed reply answers the question asked in that chat.
  client.on("message", (message) => {
    if (message.muc === undefined && !message.outgoing && !message.markers?.signalOnly)
      if (message.body?.trim()) questions.answered(message.from.bare);
  });
  if (account.adHocCommands.approvals) {
    handle.add(
      approvalCommand({ tracker, allowed: isOwner, answer: (r, id, d) => answer(r, id, d) }),
    );
    deps.markers?.on("reaction", (event) => void onReaction(event));
    // A typed answer ends the prompt too, so it is not later announced as expired.
    client.on("message", (message) => {
      const typed = TYPED_APPROVE.exec(message.body ?? "");
      if (typed !== null && message.muc === undefined && isOwner(message.from))
        tracker.answered(typed[1]!);
    });
  }

  /** Every way of answering ends here: an owner's `/approve` turn; OpenClaw confirms in the chat. */
  const answer = async (requester: Jid, id: string, decision: ApprovalDecision) => {
    tracker.answered(id);
    return runLine(requester, `/approve ${id} ${decision}`);
  };

  /** A keycap reaction to a question, from the owner it was asked: that option's number. */
  const onQuestionReaction = async (event: ReactionEvent) => {
    if (event.type !== "chat" && event.type !== "normal") return;
    const question = questions.byMessage(event.conversation, event.targetId);
    if (question === undefined || !isOwner(event.from)) return;
    const index = event.emojis
      .map((emoji) => KEYCAPS.indexOf(emoji as (typeof KEYCAPS)[number]))
      .find((i) => i >= 0 && i < question.options.length);
    if (index === undefined) return;
    questions.answered(event.conversation);
    await runLine(event.from, String(index + 1)).catch((error: unknown) =>
      logger.warn("answer by reaction failed", { error: String(error) }),
    );
  };

  const onReaction = async (event: ReactionEvent) => {
    if (event.type !== "chat" && event.type !== "normal") return;
    const found = tracker.byMessage(event.conversation, event.targetId);
    if (found === undefined) return;
    const decision = event.emojis.map((emoji) => REACTION_DECISIONS[emoji]).find(Boolean);
    if (decision === undefined) return;
    if (!isOwner(event.from)) {
      await send(event.conversation, "Only the bot's owners can answer approvals.");
      return;
    }
    if (found === "expired" || found === "answered") {
      await send(
        event.conversation,
        found === "expired"
          ? "⌛ That approval request has expired."
          : "That approval request was already answered.",
      );
      return;
    }
    if (!found.decisions.includes(decision)) {
      await send(event.conversation, `"${decision}" is not offered for this request.`);
      return;
    }
    await answer(event.from, found.id, decision).catch((error: unknown) =>
      logger.warn("approval by reaction failed", { error: String(error) }),
    );
  };

  void deps.specs().then(
    (specs) => {
      for (const definition of nativeCommandDefinitions(specs, {
        allowed: isOwner,
        run: runLine,
      })) {
        try {
          handle.add(definition);
        } catch (error) {
          logger.warn("a native command could not be served", {
            node: definition.node,
            error: String(error),
          });
        }
      }
    },
    (error: unknown) =>
      logger.warn("OpenClaw's native command list is unavailable", { error: String(error) }),
  );
  return { commands: handle, approvals: tracker, questions };
}

/** Runs `line` as `requester`'s turn and collects the text of its replies (bounded in time). */
export async function runCommandTurn(
  inbound: Pick<InboundHandler, "command">,
  requester: Jid,
  line: string,
  logger: Logger,
): Promise<string[]> {
  const replies: string[] = [];
  const observe = (payload: ReplyPayload) => {
    if (typeof payload.text === "string" && payload.text.trim() !== "" && replies.length < 20)
      replies.push(payload.text.trim());
  };
  let stop = () => {};
  const timeout = new Promise<void>((resolve) => {
    stop = clockTimeout(resolve, COMMAND_REPLY_TIMEOUT_MS);
  });
  try {
    const outcome = await Promise.race([inbound.command?.(requester.bare, line, observe), timeout]);
    if (outcome !== undefined && outcome.kind !== "dispatched")
      logger.warn("a command turn was not dispatched", { line, outcome: outcome.kind });
  } finally {
    stop();
  }
  return replies;
}

function expiredText(approval: PendingApproval): string {
  const what = approval.command === undefined ? "" : `\n\n${approval.command.slice(0, 500)}`;
  return `⌛ Approval request ${approval.id} expired; it can no longer be answered.${what}`;
}

function clockTimeout(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
}
