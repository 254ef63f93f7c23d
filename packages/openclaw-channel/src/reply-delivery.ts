/**
 * Delivers one agent reply payload into a conversation: the text (in a room,
 * an XEP-0461 reply when OpenClaw names the answered message), then each
 * media item. Local files are read through OpenClaw's own media loader with
 * the agent's media roots (its file policy decides what may leave), uploaded
 * with XEP-0363 and sent as body = URL plus XEP-0066 OOB, which is how
 * clients show a file; a remote URL is passed on as such, never fetched here.
 */
import { basename } from "node:path";
import { ClawXmppError, type Client } from "@clawxmpp/core";
import type { MarkersHandle } from "@clawxmpp/markers";
import { linkMessage, type UploadHandle } from "@clawxmpp/upload";
import { withEncryption } from "./omemo-channel.js";
import type { OpenclawSdk, ReplyPayload } from "./openclaw-sdk.js";

/** Where and how a reply goes. */
export interface ReplyTarget {
  to: string;
  type: "chat" | "groupchat";
  /** OpenClaw's id of the message being answered (what `payload.replyToId` names). */
  messageId: string;
  /** The message being answered (its XMPP reference id, sender and text), when it can be referenced. */
  answered?: { id: string; jid: string; body: string; name?: string };
  /** The answered message was OMEMO-encrypted: so is the reply (omemo-channel.ts). */
  encrypted?: boolean;
  /** XEP-0201 thread of the message being answered: the answer stays in it. */
  thread?: string | undefined;
  /**
   * The conversation's reply mode (`reply-threading.ts`). OpenClaw applies it
   * to `replyToId` already; it is enforced here too, so a path that skips
   * OpenClaw's filter cannot quote in a conversation configured `off`.
   * @default "all"
   */
  replyToMode?: "off" | "first" | "all";
  /** Set once a reference was sent for this target (`first`). */
  referenced?: boolean;
}

/** What delivering needs. */
export interface ReplyDeps {
  client: Client;
  markers: MarkersHandle | undefined;
  files: Pick<UploadHandle, "sendFile"> | undefined;
  sdk: Pick<OpenclawSdk, "loadOutboundMediaFromUrl" | "getAgentScopedMediaLocalRoots">;
  cfg: unknown;
  agentId: string;
  maxBytes: number;
}

/** The media URLs of a payload, each once, in order. */
export function payloadMedia(payload: ReplyPayload): string[] {
  const all = [...(payload.mediaUrls ?? []), payload.mediaUrl];
  return [
    ...new Set(all.filter((url): url is string => typeof url === "string" && url.trim() !== "")),
  ].map((url) => url.trim());
}

/** True for `http(s)://` URLs (sent on as links). */
export function isRemoteUrl(url: string): boolean {
  return /^https?:\/\//iu.test(url);
}

/**
 * Sends `payload` to `target`. Resolves true when something was sent; throws
 * (after sending what it could) when a media item could not be delivered.
 */
export async function deliverReply(
  payload: ReplyPayload,
  target: ReplyTarget,
  deps: ReplyDeps,
): Promise<boolean> {
  let sent = false;
  const text = typeof payload.text === "string" ? payload.text.trim() : "";
  if (text !== "") {
    // OpenClaw keeps `replyToId` only where the reply mode wants a reference
    // (`reply-threading.ts`: off in direct chats unless configured).
    const thread = target.thread === undefined ? {} : { thread: target.thread };
    const mode = target.replyToMode ?? "all";
    if (
      deps.markers !== undefined &&
      target.answered !== undefined &&
      payload.replyToId === target.messageId &&
      target.encrypted !== true &&
      mode !== "off" &&
      !(mode === "first" && target.referenced === true)
    ) {
      target.referenced = true;
      await deps.markers.reply(target.to, target.answered, text, { type: target.type, ...thread });
    } else {
      await deps.client.send(
        withEncryption(
          { to: target.to, type: target.type, body: text, ...thread },
          target.encrypted,
        ),
      );
    }
    sent = true;
  }
  const failed: string[] = [];
  for (const url of payloadMedia(payload)) {
    try {
      await sendMedia(url, target, deps);
      sent = true;
    } catch (error) {
      failed.push(`${shortName(url)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failed.length > 0) {
    throw new ClawXmppError("upload", `could not send ${failed.join("; ")}`);
  }
  return sent;
}

async function sendMedia(url: string, target: ReplyTarget, deps: ReplyDeps): Promise<void> {
  if (isRemoteUrl(url)) {
    await deps.client.send(
      withEncryption(linkMessage(target.to, url, { type: target.type }), target.encrypted),
    );
    return;
  }
  const load = deps.sdk.loadOutboundMediaFromUrl;
  if (load === undefined || deps.files === undefined) {
    throw new ClawXmppError("upload", "local media cannot be sent: no media loader or upload");
  }
  const roots = deps.sdk.getAgentScopedMediaLocalRoots?.(deps.cfg, deps.agentId);
  const media = await load(url, {
    maxBytes: deps.maxBytes,
    ...(roots === undefined ? {} : { mediaLocalRoots: roots }),
    // XMPP clients show the original; re-encoding is not ours to do.
    optimizeImages: false,
  });
  await deps.files.sendFile(target.to, media.buffer, {
    name: media.fileName ?? shortName(url),
    size: media.buffer.length,
    type: target.type,
    ...(target.encrypted === true ? { encrypted: true } : {}),
    ...(media.contentType === undefined ? {} : { contentType: media.contentType }),
  });
}

function shortName(url: string): string {
  return basename(url.replace(/^file:\/\//iu, "")).slice(0, 120) || "file";
}
