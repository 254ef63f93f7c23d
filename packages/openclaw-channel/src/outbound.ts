/**
 * Agent-initiated sends (`openclaw message send`, the agent's `message` tool,
 * cron) and target recognition (RFC 6122/7622 JIDs).
 *
 * `deliveryMode: "gateway"`: the CLI forwards the send to the gateway, where the
 * account's live connection is; with `direct` the CLI process would call
 * `sendText` itself and have no connection.
 */
import { basename } from "node:path";
import { ClawXmppError, jidFromInput } from "@clawxmpp/core";
import { linkMessage } from "@clawxmpp/upload";
import {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_MEDIA_MAX_MB,
  normaliseBare,
  tryResolveAccount,
} from "./accounts.js";
import { liveSession } from "./live-clients.js";
import type { OpenClawConfig } from "./openclaw-types.js";
import { CHANNEL_ID } from "./plugin-manifest.js";
import { isRemoteUrl } from "./reply-delivery.js";

/** Strips `xmpp:` (URI scheme or OpenClaw target prefix) and surrounding space. */
export function normaliseXmppTarget(raw: string): string | undefined {
  // OpenClaw's target prefixes first (`xmpp:room:…`), then RFC 5122 URIs or plain JIDs.
  const unprefixed = raw.trim().replace(/^xmpp:(?=(?:room|group|user):)/iu, "");
  const jid = jidFromInput(unprefixed.replace(/^(?:room|group|user):/iu, ""));
  if (jid?.local === undefined) return undefined;
  return jid.bare;
}

/** True for strings that are JIDs of a user or room (`local@domain`), with or without `xmpp:`. */
export function looksLikeXmppId(raw: string): boolean {
  return normaliseXmppTarget(raw) !== undefined;
}

/** Whether `target` is one of the account's rooms: configured in `groups` or joined now. */
export function isRoomTarget(
  cfg: OpenClawConfig,
  target: string,
  accountId?: string | null,
): boolean {
  const bare = normaliseBare(target);
  if (bare === undefined) return false;
  const rooms = liveSession(accountId ?? DEFAULT_ACCOUNT_ID)?.rooms;
  if (rooms?.messageTypeFor(bare) === "groupchat") return true;
  // A configured room is a room even before (or between) joins.
  return tryResolveAccount(cfg, accountId)?.groups.includes(bare) ?? false;
}

/** What OpenClaw passes to `outbound.sendText` (the part we use). */
export interface OutboundTextContext {
  cfg: OpenClawConfig;
  to: string;
  text: string;
  accountId?: string | null;
}

/** `OutboundDeliveryResult`. */
export interface OutboundDeliveryResult {
  channel: string;
  messageId: string;
  target?: string;
  timestamp?: number;
}

/**
 * Where an agent-initiated send goes: the normalised target, the account's
 * live session and the message type (`groupchat` for one of its rooms).
 * Throws `jid` for a target that is not a JID, `not-connected` when the
 * account does not run in this process.
 */
function sendTarget(ctx: OutboundTextContext) {
  const accountId = ctx.accountId ?? DEFAULT_ACCOUNT_ID;
  const to = normaliseXmppTarget(ctx.to);
  if (to === undefined) {
    throw new ClawXmppError("jid", `not an XMPP address: ${JSON.stringify(ctx.to)}`);
  }
  const session = liveSession(accountId);
  if (session === undefined) {
    throw new ClawXmppError(
      "not-connected",
      `xmpp account "${accountId}" is not running in this gateway`,
    );
  }
  const type: "groupchat" | "chat" = isRoomTarget(ctx.cfg, to, accountId) ? "groupchat" : "chat";
  return { accountId, to, session, type };
}

/** Sends `text` to `to` over the account's live connection (see {@link sendTarget}). */
export async function sendXmppText(ctx: OutboundTextContext): Promise<OutboundDeliveryResult> {
  const { to, session, type } = sendTarget(ctx);
  const { id } = await session.client.send({ to, type, body: ctx.text });
  return { channel: CHANNEL_ID, messageId: id, target: to, timestamp: Date.now() };
}

/** The account's attachment limit in bytes (the default when the config cannot be read). */
function mediaMaxBytes(cfg: OpenClawConfig, accountId: string): number {
  return tryResolveAccount(cfg, accountId)?.mediaMaxBytes ?? DEFAULT_MEDIA_MAX_MB * 1024 * 1024;
}

/** What OpenClaw passes to `outbound.sendMedia` (the part we use). */
export interface OutboundMediaContext extends OutboundTextContext {
  mediaUrl?: string;
  /** OpenClaw's sandboxed reader for local media (it enforces its own media roots). */
  mediaReadFile?: (filePath: string) => Promise<Buffer>;
  mediaAccess?: { readFile?: (filePath: string) => Promise<Buffer> };
}

/**
 * Sends media: a local file is read through OpenClaw's sandboxed reader (never
 * directly, prior-art S7) and uploaded with XEP-0363, then sent as its URL with
 * XEP-0066 OOB and the text as caption; a remote `http(s)` URL is sent the
 * same way (body = URL plus OOB) and never fetched by the plugin (no SSRF
 * surface). Files over `mediaMaxMb` are refused.
 */
export async function sendXmppMedia(ctx: OutboundMediaContext): Promise<OutboundDeliveryResult> {
  const media = ctx.mediaUrl?.trim();
  if (!media) return sendXmppText(ctx);
  const { accountId, to, session, type } = sendTarget(ctx);
  const caption = ctx.text.trim() === "" ? undefined : ctx.text;
  if (isRemoteUrl(media)) {
    // Clients show a file only when the body is exactly its URL: caption first, then the link.
    if (caption !== undefined) await session.client.send({ to, type, body: caption });
    const { id } = await session.client.send(
      linkMessage(to, media, { type, description: caption }),
    );
    return { channel: CHANNEL_ID, messageId: id, target: to, timestamp: Date.now() };
  }
  const readFile = ctx.mediaAccess?.readFile ?? ctx.mediaReadFile;
  if (readFile === undefined || session.upload === undefined) {
    throw new ClawXmppError("upload", "local media cannot be sent: no sandboxed file reader");
  }
  const path = media.replace(/^file:\/\//iu, "");
  const data = await readFile(path);
  const maxBytes = mediaMaxBytes(ctx.cfg, accountId);
  if (data.length > maxBytes) {
    throw new ClawXmppError(
      "upload",
      `${basename(path)} is ${data.length} bytes, over mediaMaxMb (${maxBytes} bytes)`,
    );
  }
  const sent = await session.upload.sendFile(to, data, {
    name: basename(path) || "file",
    size: data.length,
    type,
    ...(caption === undefined ? {} : { body: caption }),
  });
  return { channel: CHANNEL_ID, messageId: sent.id, target: to, timestamp: Date.now() };
}

/** The `outbound` adapter. */
export const xmppOutbound = {
  deliveryMode: "gateway" as const,
  textChunkLimit: 4000,
  resolveTarget({ to }: { to?: string }) {
    const target = to === undefined ? undefined : normaliseXmppTarget(to);
    return target === undefined
      ? {
          ok: false as const,
          error: new Error(
            `XMPP target must be a JID like user@example.org, got ${JSON.stringify(to ?? "")}`,
          ),
        }
      : { ok: true as const, to: target };
  },
  sendText: sendXmppText,
  sendMedia: sendXmppMedia,
};

/** The `messaging` adapter: how targets are recognised and typed. */
export const xmppMessaging = {
  targetPrefixes: [CHANNEL_ID],
  normalizeTarget: (raw: string): string | undefined => normaliseXmppTarget(raw),
  // Only `to` is given, and a JID alone does not say whether it is a room (no
  // domain guessing, prior-art P6): unknown, OpenClaw then asks the session.
  inferTargetChatType: (_params: { to: string }): "direct" | "group" | undefined => undefined,
  targetResolver: {
    looksLikeId: (raw: string): boolean => looksLikeXmppId(raw),
    hint: "a JID like user@example.org, or a room JID like room@conference.example.org",
  },
};
