/**
 * The `edit` and `delete`/`unsend` actions of OpenClaw's `message` tool (and
 * `openclaw message edit|delete`) on the agent's own messages: an edit is an
 * XEP-0308 correction (§3, `<replace id/>` naming the message's id), a delete
 * an XEP-0424 retraction (§4, `<retract id/>` naming the message's origin-id,
 * which the core sets equal to its id). Each is offered only when
 * `actions.edit` / `actions.delete` is on. The protocol stanzas are built by
 * `@clawxmpp/markers`; this is the OpenClaw glue.
 *
 * In a room, XEP-0424 §4 names the room's stanza-id (XEP-0359, `by` = room):
 * the agent knows its message by the id it was sent with, so a delete uses the
 * stanza-id the room gave its reflection (room-own-ids.ts), falling back to
 * the sent id when the room assigned none. An XEP-0308 correction names the
 * original's `id` attribute in rooms too (§3), which stays the sent id.
 */
import { ClawXmppError } from "@clawxmpp/core";
import { DEFAULT_ACCOUNT_ID, tryResolveAccount } from "./accounts.js";
import { actionTarget, liveMarkers, paramText } from "./action-target.js";
import type { OpenClawConfig } from "./openclaw-types.js";
import { isRoomTarget } from "./outbound.js";

/** Action names this file handles. */
export const EDIT_ACTIONS = ["edit", "delete", "unsend"] as const;

/** What an edit/delete action receives (the part used). */
export interface EditActionContext {
  action: string;
  cfg: OpenClawConfig;
  params: Record<string, unknown>;
  accountId?: string | null;
  toolContext?: { currentChannelId?: string } & Record<string, unknown>;
}

/** The edit/delete actions `cfg` offers for `accountId`. */
export function enabledEditActions(cfg: OpenClawConfig, accountId?: string | null): string[] {
  const actions = tryResolveAccount(cfg, accountId)?.actions;
  return [
    ...(actions?.edit === true ? ["edit"] : []),
    ...(actions?.delete === true ? ["delete", "unsend"] : []),
  ];
}

/** Edits or retracts one of the agent's messages; throws a ClawXmppError for bad input. */
export async function handleEditAction(ctx: EditActionContext) {
  const accountId = ctx.accountId ?? DEFAULT_ACCOUNT_ID;
  if (!enabledEditActions(ctx.cfg, accountId).includes(ctx.action)) {
    const key = ctx.action === "edit" ? "edit" : "delete";
    throw new ClawXmppError("policy", `${ctx.action} is off (channels.xmpp.actions.${key})`);
  }
  const to = actionTarget(ctx.action, ctx.params, ctx.toolContext?.currentChannelId);
  const messageId = paramText(ctx.params, "messageId", "message_id")?.trim();
  if (messageId === undefined || messageId.length > 256) {
    throw new ClawXmppError("protocol", `${ctx.action} needs the id of the agent's message`);
  }
  const session = liveMarkers(accountId);
  const type = isRoomTarget(ctx.cfg, to, accountId) ? "groupchat" : "chat";
  let details: Record<string, unknown>;
  if (ctx.action === "edit") {
    const body = paramText(ctx.params, "message", "text", "content", "body");
    if (body === undefined) throw new ClawXmppError("protocol", "edit needs the new text");
    const { id } = await session.markers.correct(to, messageId, body, { type });
    details = { ok: true, to, messageId, correctionId: id };
  } else {
    const target =
      type === "groupchat" ? (session.ids?.referenceOf(to, messageId) ?? messageId) : messageId;
    const { id } = await session.markers.retract(to, target, { type });
    details = { ok: true, to, messageId, retracted: target, retractionId: id };
  }
  return { content: [{ type: "text" as const, text: JSON.stringify(details) }], details };
}
