/**
 * Mention detection for room messages: our nickname at a word boundary,
 * case-insensitively, or an XEP-0372 reference of type `mention` whose URI
 * names our occupant JID (or our account).
 */
import { type Element, tryParseJid } from "@clawxmpp/core";
import { NS_REFERENCE } from "./namespaces.js";

const MAX_REFERENCES = 64;

/** True when `body` names `nick` as a whole word (letters, digits and `_` bound a word). */
export function mentionsNick(body: string | undefined, nick: string): boolean {
  if (!body || !nick) return false;
  const escaped = nick.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&");
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, "iu");
  return pattern.test(body);
}

/** True when an XEP-0372 mention reference points at one of `targets` (full or bare JIDs). */
export function referencesMention(stanza: Element, targets: readonly string[]): boolean {
  const wanted = new Set(targets.map((t) => tryParseJid(t)?.full).filter((t) => t !== undefined));
  const references = stanza.getChildren("reference", NS_REFERENCE).slice(0, MAX_REFERENCES);
  for (const reference of references) {
    if (reference.attrs.type !== "mention") continue;
    const uri = reference.attrs.uri;
    if (!uri?.startsWith("xmpp:")) continue;
    let target: string;
    try {
      target = decodeURIComponent(uri.slice(5).split("?")[0] ?? "");
    } catch {
      continue;
    }
    const jid = tryParseJid(target);
    if (jid && wanted.has(jid.full)) return true;
  }
  return false;
}
