/**
 * The children that travel next to `<encrypted/>` in a message, as deployed
 * clients send them: XEP-0334 `<store/>` (MAM keeps body-less key transports),
 * XEP-0380 `<encryption/>` (tells other clients what they cannot read) and a
 * fallback `<body/>` for clients without OMEMO.
 */
import { type Element, xml } from "@clawxmpp/core";
import { NS_EME, NS_HINTS, NS_OMEMO } from "./namespaces.js";

/** What a client without OMEMO shows instead of the message. */
export const DEFAULT_FALLBACK_BODY =
  "I sent you an OMEMO encrypted message but your client doesn’t seem to support that.";

/** The hint children; `fallbackBody: false` for key transports, which carry no body. */
export function omemoHints(
  fallbackBody: string | false = DEFAULT_FALLBACK_BODY,
  namespace: string = NS_OMEMO,
): Element[] {
  return [
    xml("store", { xmlns: NS_HINTS }),
    xml("encryption", { xmlns: NS_EME, namespace, name: "OMEMO" }),
    ...(fallbackBody === false ? [] : [xml("body", {}, fallbackBody)]),
  ];
}
