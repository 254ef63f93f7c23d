/**
 * `xmpp:` URIs (RFC 5122 §2): `xmpp:user@example.org`,
 * `xmpp:room@conference.example.org?join`, percent-encoded (§2.7), with an
 * optional action and `;key=value` parameters (XEP-0147 query types). An
 * authority (`xmpp://bot@example.org/…`, the account to act as) is skipped.
 * Also the one place that turns what a person typed (a JID, or a JID written
 * as a URI) into a JID.
 */
import { type Jid, tryParseJid } from "./jid.js";

/** A parsed `xmpp:` URI. */
export interface XmppUri {
  /** The JID the URI points at, normalised. */
  jid: Jid;
  /** The query type (XEP-0147), e.g. `message`, `join`, `subscribe`. */
  action: string | undefined;
  /** The query's `key=value` pairs, decoded. */
  params: Record<string, string>;
}

/** Longest URI accepted. */
const MAX_URI_LENGTH = 4096;

/** Parses an `xmpp:` URI; `undefined` when it is not one or its JID is invalid. */
export function parseXmppUri(input: string): XmppUri | undefined {
  if (typeof input !== "string" || input.length > MAX_URI_LENGTH) return undefined;
  const trimmed = input.trim();
  if (!/^xmpp:/iu.test(trimmed)) return undefined;
  let rest = trimmed.slice(5).replace(/#.*$/su, "");
  // §2.3: an authority names the account to act as, not the target.
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    if (slash === -1) return undefined;
    rest = rest.slice(slash + 1);
  }
  const question = rest.indexOf("?");
  const path = question === -1 ? rest : rest.slice(0, question);
  const query = question === -1 ? undefined : rest.slice(question + 1);
  const jid = tryParseJid(decode(path));
  if (jid === undefined) return undefined;
  const params: Record<string, string> = {};
  let action: string | undefined;
  if (query !== undefined) {
    const [head = "", ...pairs] = query.split(";");
    action = decode(head) || undefined;
    for (const pair of pairs) {
      const eq = pair.indexOf("=");
      const key = decode(eq === -1 ? pair : pair.slice(0, eq));
      if (key === "" || key === "__proto__") continue;
      params[key] = eq === -1 ? "" : decode(pair.slice(eq + 1));
    }
  }
  return { jid, action, params };
}

/** Builds `xmpp:<jid>[?action]` with the JID percent-encoded where RFC 5122 requires. */
export function formatXmppUri(jid: string, action?: string): string {
  const encoded = encodeURI(jid).replace(
    /[?#;=]/gu,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `xmpp:${encoded}${action === undefined ? "" : `?${encodeURIComponent(action)}`}`;
}

/**
 * The JID in what a person typed: a plain JID (`Alice@Example.org`) or an
 * `xmpp:` URI; `undefined` when neither is valid.
 */
export function jidFromInput(input: string | undefined | null): Jid | undefined {
  if (typeof input !== "string") return undefined;
  const trimmed = input.trim();
  return /^xmpp:/iu.test(trimmed) ? parseXmppUri(trimmed)?.jid : tryParseJid(trimmed);
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
