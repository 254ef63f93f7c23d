/**
 * XEP-0461 Message Replies §2–3 with an XEP-0428 fallback: `<reply to id/>`
 * names the message answered (in group chat by the room's stanza-id, `to`
 * being the author's occupant JID); the quoted text lets clients without
 * replies show the context.
 */
import { type Element, type Jid, type OutgoingMessage, tryParseJid, xml } from "@clawxmpp/core";
import { codePointLength, fallbackElement } from "./fallback.js";
import { validId } from "./limits.js";
import { NS_REPLY } from "./namespaces.js";

/** The message a reply answers. */
export interface ReplyTarget {
  /** Its id: origin-id/id in 1:1, the room's stanza-id in group chat (see `targetIdFor`). */
  id: string;
  /** Its author: a full or bare JID in 1:1, the occupant JID in a room. */
  jid?: string | undefined;
  /** Its text, quoted as the fallback when given. */
  body?: string | undefined;
  /** The author's display name, for a "name wrote:" line above the quote. */
  name?: string | undefined;
}

/** A reply reference read from a stanza. */
export interface ReplyReference {
  id: string;
  /** The author named by the sender, when valid. */
  jid: Jid | undefined;
}

/** Options of {@link buildReply}. */
export interface BuildReplyOptions {
  type?: "chat" | "groupchat";
  /** Quote the target's text as a fallback. @default true */
  fallback?: boolean;
  /** Longest quote in code points. @default 300 */
  quoteMaxLength?: number;
}

/** `> `-quotes `text` line by line (XEP-0393 quote), cut to `max` code points. */
export function quoteText(text: string, max = 300): string {
  const trimmed = text.replace(/\s+$/u, "");
  const points = Array.from(trimmed);
  const cut = points.length > max ? `${points.slice(0, max).join("")}…` : trimmed;
  return cut
    .split("\n")
    .map((line) => (line.startsWith(">") ? `>${line}` : `> ${line}`))
    .map((line) => `${line}\n`)
    .join("");
}

/** A reply to `target` saying `body`. */
export function buildReply(
  to: string,
  target: ReplyTarget,
  body: string,
  options: BuildReplyOptions = {},
): OutgoingMessage {
  const quoted =
    options.fallback !== false && target.body !== undefined && target.body.trim() !== "";
  const header = quoted && target.name ? quoteText(`${oneLine(target.name)} wrote:`) : "";
  const quote = quoted ? header + quoteText(target.body ?? "", options.quoteMaxLength) : "";
  return {
    to,
    type: options.type ?? "chat",
    body: quote + body,
    children: [
      xml("reply", { xmlns: NS_REPLY, to: target.jid, id: target.id }),
      quote !== "" && fallbackElement(NS_REPLY, { start: 0, end: codePointLength(quote) }),
    ].filter((c): c is Element => c !== false),
  };
}

function oneLine(text: string): string {
  return Array.from(text.replace(/\s+/gu, " ").trim()).slice(0, 64).join("");
}

/** The reply reference a stanza carries, if any. */
export function parseReply(stanza: Element): ReplyReference | undefined {
  const reply = stanza.getChild("reply", NS_REPLY);
  const id = validId(reply?.attrs.id);
  if (!reply || id === undefined) return undefined;
  return { id, jid: tryParseJid(reply.attrs.to) };
}
