/**
 * What every message action needs before it builds a stanza: the conversation
 * it names (a JID from the params, else the current conversation) and the
 * account's live session with its markers handle.
 */
import { ClawXmppError } from "@clawxmpp/core";
import type { MarkersHandle } from "@clawxmpp/markers";
import { type LiveSession, liveSession } from "./live-clients.js";
import { normaliseXmppTarget } from "./outbound.js";

/** The first non-empty string (or finite number, as text) among `keys`. */
export function paramText(params: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = params[key];
    if (typeof value === "string" && value.trim() !== "") return value;
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
  }
  return undefined;
}

/** The bare JID an action targets; throws a ClawXmppError naming `action` when there is none. */
export function actionTarget(
  action: string,
  params: Record<string, unknown>,
  currentChannelId: unknown,
): string {
  const raw =
    paramText(params, "target", "to", "chatId", "channelId") ??
    (typeof currentChannelId === "string" ? currentChannelId : undefined);
  const to = raw === undefined ? undefined : normaliseXmppTarget(raw);
  if (to === undefined) {
    throw new ClawXmppError("jid", `${action} needs a JID target, got ${JSON.stringify(raw)}`);
  }
  return to;
}

/** The running session of `accountId` with its markers; throws when it is not running here. */
export function liveMarkers(accountId: string): LiveSession & { markers: MarkersHandle } {
  const session = liveSession(accountId);
  if (session?.markers === undefined) {
    throw new ClawXmppError(
      "not-connected",
      `xmpp account "${accountId}" is not running in this gateway`,
    );
  }
  return session as LiveSession & { markers: MarkersHandle };
}
