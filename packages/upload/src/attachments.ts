/**
 * Attachments of inbound messages: XEP-0066 §3 `<x xmlns='jabber:x:oob'>`
 * URLs, or — the way Conversations and Gajim send files — a body that is
 * nothing but one URL. Only http, https and aesgcm (XEP-0454) URLs count;
 * everything is bounded so a hostile stanza cannot make us hold much.
 */
import { type Element, type OutgoingMessage, xml } from "@clawxmpp/core";

/** The XEP-0066 out-of-band data namespace (the `x` form). */
export const NS_OOB = "jabber:x:oob";
/** URLs longer than this are ignored. */
const MAX_URL_LENGTH = 4096;
/** Attachments taken from one message, at most. */
const MAX_ATTACHMENTS = 8;

/** A file a message points at; download it with the plugin's `download()`. */
export interface Attachment {
  /** The URL as sent (`http:`, `https:` or `aesgcm:`). */
  url: string;
  /** Where it was found: an OOB element or a body that is only a URL. */
  via: "oob" | "body";
  /** The OOB description, if any (untrusted text). */
  description: string | undefined;
  /** True for an `aesgcm://` URL (XEP-0454): needs the decrypt hook. */
  encrypted: boolean;
}

/** A URL we accept as an attachment, or `undefined`. */
export function attachmentUrl(raw: string | null | undefined): URL | undefined {
  const text = raw?.trim();
  if (!text || text.length > MAX_URL_LENGTH || /\s/u.test(text)) return undefined;
  try {
    const url = new URL(text);
    const ok = url.protocol === "https:" || url.protocol === "http:" || url.protocol === "aesgcm:";
    return ok && url.hostname !== "" ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The attachments of a message stanza (OOB first, then a body that is one URL). */
export function detectAttachments(stanza: Element, body: string | undefined): Attachment[] {
  const found = new Map<string, Attachment>();
  for (const oob of stanza.getChildren("x", NS_OOB).slice(0, MAX_ATTACHMENTS)) {
    const url = attachmentUrl(oob.getChildText("url"));
    if (!url || found.has(url.href)) continue;
    const desc = oob.getChildText("desc")?.slice(0, 1024);
    found.set(url.href, {
      url: url.href,
      via: "oob",
      description: desc || undefined,
      encrypted: url.protocol === "aesgcm:",
    });
  }
  const bodyUrl = attachmentUrl(body);
  if (bodyUrl && !found.has(bodyUrl.href) && found.size === 0) {
    found.set(bodyUrl.href, {
      url: bodyUrl.href,
      via: "body",
      description: undefined,
      encrypted: bodyUrl.protocol === "aesgcm:",
    });
  }
  return [...found.values()];
}

/** The XEP-0066 element announcing `url` (§3, example 1), with an optional description. */
export function oobElement(url: string, description?: string): Element {
  return xml(
    "x",
    { xmlns: NS_OOB },
    xml("url", {}, url),
    description && xml("desc", {}, description),
  );
}

/**
 * A message sharing the file at `url` the way clients show it as a file: the
 * body is exactly the URL, plus XEP-0066 OOB (§3) for clients that read it.
 * An `aesgcm://` link (XEP-0454 §3) is sent as the body only, never as OOB.
 */
export function linkMessage(
  to: string,
  url: string,
  options: { type?: OutgoingMessage["type"]; description?: string | undefined } = {},
): OutgoingMessage {
  const encrypted = /^aesgcm:/iu.test(url);
  return {
    to,
    type: options.type ?? "chat",
    body: url,
    children: encrypted ? [] : [oobElement(url, options.description)],
  };
}

/**
 * `text` without the lines that are only an attachment's URL: clients put the
 * URL in the body so that older clients show a link, and a reader should see
 * the file once, not its link as words too.
 */
export function bodyWithoutAttachmentUrls(
  text: string,
  attachments: readonly Attachment[],
): string {
  if (attachments.length === 0) return text;
  const urls = new Set(attachments.map((a) => a.url));
  return text
    .split("\n")
    .filter((line) => {
      const trimmed = line.trim();
      if (urls.has(trimmed)) return false;
      try {
        return !urls.has(new URL(trimmed).href);
      } catch {
        return true;
      }
    })
    .join("\n")
    .trim();
}
