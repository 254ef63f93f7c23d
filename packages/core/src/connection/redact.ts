/**
 * Redaction for the XML trace: what must never reach a log. SASL payloads
 * (RFC 6120 §6.4: auth, challenge, response, success) and their SASL2
 * counterparts (XEP-0388: initial-response, challenge, response,
 * additional-data, task-data), FAST tokens (XEP-0484: `<token>` and any
 * `token` attribute), passwords (XEP-0077 jabber:iq:register, XEP-0078
 * jabber:iq:auth `password`/`digest`) and private data-form fields
 * (XEP-0004 `text-private`, or a `var` naming a password).
 */
import { type Element, xml } from "../xml.js";

/** Replaces each secret text and token attribute. */
export const REDACTED = "[redacted]";

const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
const NS_SASL2 = "urn:xmpp:sasl:2";
const NS_DATA = "jabber:x:data";
const SASL_PAYLOADS = new Set(["auth", "challenge", "response", "success"]);
const SASL2_PAYLOADS = new Set([
  "initial-response",
  "challenge",
  "response",
  "additional-data",
  "task-data",
]);
const ALWAYS_SECRET = new Set(["password", "digest", "token"]);

/**
 * The element as it may be logged: `element` itself when it holds no secret, else a redacted
 * copy (the original is never modified).
 */
export function redactForTrace(element: Element): Element {
  return scrub(element, undefined, false) ?? element;
}

/** XML text of `element` for the trace, redacted. */
export function traceText(element: Element): string {
  return redactForTrace(element).toString();
}

/** Returns a redacted copy when something in `element` is secret, else undefined. */
function scrub(
  element: Element,
  parentNs: string | undefined,
  secret: boolean,
): Element | undefined {
  const ns = element.attrs.xmlns ?? parentNs;
  const hideText = secret || isSecret(element, ns);
  const attrs =
    element.attrs.token !== undefined ? { ...element.attrs, token: REDACTED } : undefined;
  let children: (Element | string)[] | undefined;
  const list = element.children;
  for (let i = 0; i < list.length; i++) {
    const child = list[i] as Element | string;
    const replacement =
      typeof child === "string"
        ? hideText && child.trim() !== ""
          ? REDACTED
          : undefined
        : scrub(child, ns, hideText);
    if (replacement === undefined) continue;
    children ??= list.slice();
    children[i] = replacement;
  }
  if (!attrs && !children) return undefined;
  const copy = xml(element.name, attrs ?? element.attrs);
  // Assigned, not appended: appending would re-parent the original's children.
  copy.children = children ?? list.slice();
  return copy;
}

function isSecret(element: Element, ns: string | undefined): boolean {
  const { name } = element;
  if (ALWAYS_SECRET.has(name)) return true;
  if (ns === NS_SASL) return SASL_PAYLOADS.has(name);
  if (ns === NS_SASL2) return SASL2_PAYLOADS.has(name);
  if (ns === NS_DATA && name === "field") {
    return (
      element.attrs.type === "text-private" || /pass|secret|token/iu.test(element.attrs.var ?? "")
    );
  }
  return false;
}
