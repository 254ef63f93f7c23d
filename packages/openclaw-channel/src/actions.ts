/**
 * The `actions` adapter: the `react` action of OpenClaw's `message` tool and
 * `openclaw message react`, sent as an XEP-0444 reaction (§3) through
 * `@clawxmpp/markers`. Offered only when `actions.reactions` is on. The agent
 * names a message by OpenClaw's id (the server's stanza-id); the reaction
 * references it the XMPP way, translated through the inbound handler's id map:
 * the sender's origin-id (or id) in a direct chat, the room's stanza-id in a
 * room (XEP-0359 §4, prior-art P3). An id the map does not know is used as
 * given. The reaction goes to the peer's bare JID or to the bare room JID as
 * `groupchat`, never to `room/nick`.
 */
import { ClawXmppError } from "@clawxmpp/core";
import { DEFAULT_ACCOUNT_ID, tryResolveAccount } from "./accounts.js";
import { EDIT_ACTIONS, enabledEditActions, handleEditAction } from "./edit-actions.js";
import { liveSession } from "./live-clients.js";
import type { OpenClawConfig } from "./openclaw-types.js";
import { isRoomTarget, normaliseXmppTarget } from "./outbound.js";

/** What `handleAction` receives (the part we use). */
export interface XmppActionContext {
  action: string;
  cfg: OpenClawConfig;
  params: Record<string, unknown>;
  accountId?: string | null;
  toolContext?: { currentChannelId?: string; currentMessageId?: string | number } & Record<
    string,
    unknown
  >;
}

/** `AgentToolResult`: text content plus structured details. */
export interface ActionResult {
  content: { type: "text"; text: string }[];
  details: unknown;
}

function reactionsEnabled(cfg: OpenClawConfig, accountId?: string | null): boolean {
  return tryResolveAccount(cfg, accountId)?.actions.reactions ?? false;
}

function stringParam(params: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = params[key];
    if (typeof value === "string" && value.trim() !== "") return value.trim();
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
  }
  return undefined;
}

/** Sends the reaction described by `ctx`; throws a ClawXmppError for bad input. */
export async function handleXmppAction(ctx: XmppActionContext): Promise<ActionResult> {
  if ((EDIT_ACTIONS as readonly string[]).includes(ctx.action)) return handleEditAction(ctx);
  if (ctx.action !== "react") {
    throw new ClawXmppError("policy", `xmpp does not support the ${ctx.action} action`);
  }
  const accountId = ctx.accountId ?? DEFAULT_ACCOUNT_ID;
  if (!reactionsEnabled(ctx.cfg, accountId)) {
    throw new ClawXmppError("policy", "reactions are off (channels.xmpp.actions.reactions)");
  }
  const rawTarget =
    stringParam(ctx.params, "target", "to", "chatId", "channelId") ??
    (typeof ctx.toolContext?.currentChannelId === "string"
      ? ctx.toolContext.currentChannelId
      : undefined);
  const to = rawTarget === undefined ? undefined : normaliseXmppTarget(rawTarget);
  if (to === undefined) {
    throw new ClawXmppError("jid", `react needs a JID target, got ${JSON.stringify(rawTarget)}`);
  }
  const messageId =
    stringParam(ctx.params, "messageId", "message_id") ??
    (ctx.toolContext?.currentMessageId === undefined
      ? undefined
      : String(ctx.toolContext.currentMessageId));
  if (messageId === undefined || messageId.length > 256) {
    throw new ClawXmppError("protocol", "react needs the id of the message to react to");
  }
  const remove = ctx.params.remove === true || ctx.params.remove === "true";
  const emoji = stringParam(ctx.params, "emoji", "reaction");
  if (emoji === undefined && !remove) {
    throw new ClawXmppError("protocol", "react needs an emoji");
  }
  const session = liveSession(accountId);
  if (session?.markers === undefined) {
    throw new ClawXmppError(
      "not-connected",
      `xmpp account "${accountId}" is not running in this gateway`,
    );
  }
  const type = isRoomTarget(ctx.cfg, to, accountId) ? "groupchat" : "chat";
  // XEP-0444 §3: the set sent replaces ours; an empty set removes them.
  const emojis = remove || emoji === undefined ? [] : [emoji];
  const reference = session.ids?.referenceOf(to, messageId) ?? messageId;
  const { id } = await session.markers.react(to, reference, emojis, { type });
  const details = { ok: true, to, messageId: reference, emojis, reactionId: id };
  return { content: [{ type: "text", text: JSON.stringify(details) }], details };
}

/** The `actions` adapter. */
export const xmppActions = {
  describeMessageTool: ({
    cfg,
    accountId,
  }: {
    cfg: OpenClawConfig;
    accountId?: string | null;
  }): { actions: string[] } | null => {
    const actions = [
      ...(reactionsEnabled(cfg, accountId) ? ["react"] : []),
      ...enabledEditActions(cfg, accountId),
    ];
    return actions.length === 0 ? null : { actions };
  },
  supportsAction: ({ action }: { action: string }): boolean =>
    action === "react" || (EDIT_ACTIONS as readonly string[]).includes(action),
  // The connection lives in the gateway process.
  resolveExecutionMode: (_params: { action: string }): "gateway" => "gateway",
  handleAction: handleXmppAction,
};
