/** Stanza builders for tests. */
import { type Element, xml } from "@clawxmpp/core";

/** A chat message stanza. */
export function chat(
  from: string,
  to: string,
  body: string,
  extra: { id?: string; type?: string } = {},
  ...children: Element[]
): Element {
  return xml(
    "message",
    {
      from,
      to,
      type: extra.type ?? "chat",
      id: extra.id ?? `m-${Math.random().toString(36).slice(2)}`,
    },
    xml("body", {}, body),
    ...children,
  );
}

/** A presence stanza. */
export function presence(from: string, to: string, type?: string, ...children: Element[]): Element {
  return xml("presence", { from, to, type }, ...children);
}

/** An IQ stanza. */
export function iq(
  type: "get" | "set" | "result" | "error",
  attrs: { from?: string; to?: string; id?: string },
  ...children: Element[]
): Element {
  return xml(
    "iq",
    {
      type,
      id: attrs.id ?? `iq-${Math.random().toString(36).slice(2)}`,
      from: attrs.from,
      to: attrs.to,
    },
    ...children,
  );
}

/** An XEP-0280 carbon wrapping `inner`, sent by `outerFrom`. */
export function carbon(
  kind: "received" | "sent",
  outerFrom: string,
  to: string,
  inner: Element,
): Element {
  return xml(
    "message",
    { from: outerFrom, to, type: inner.attrs.type },
    xml(
      kind,
      { xmlns: "urn:xmpp:carbons:2" },
      xml("forwarded", { xmlns: "urn:xmpp:forward:0" }, inner),
    ),
  );
}

/**
 * An XEP-0313 §4.2 archive result: `inner` forwarded (XEP-0297) with its original time `stamp`,
 * as result `id` of query `queryid`, sent by the archive `from` (undefined: the account's own).
 */
export function archiveResult(
  from: string | undefined,
  to: string,
  result: { queryid: string; id: string; stamp: string },
  inner: Element,
): Element {
  return xml(
    "message",
    { to, from },
    xml(
      "result",
      { xmlns: "urn:xmpp:mam:2", id: result.id, queryid: result.queryid },
      xml(
        "forwarded",
        { xmlns: "urn:xmpp:forward:0" },
        xml("delay", { xmlns: "urn:xmpp:delay", stamp: result.stamp }),
        inner,
      ),
    ),
  );
}

const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

/**
 * An RFC 6120 §8.3 `<error/>` child: the defined `condition` of error `type`, then the
 * human-readable `text` when given, then application-specific conditions (`app`).
 */
export function stanzaError(
  type: "auth" | "cancel" | "continue" | "modify" | "wait",
  condition: string,
  text?: string,
  ...app: Element[]
): Element {
  return xml(
    "error",
    { type },
    xml(condition, { xmlns: NS_STANZAS }),
    ...(text === undefined ? [] : [xml("text", { xmlns: NS_STANZAS }, text)]),
    ...app,
  );
}
