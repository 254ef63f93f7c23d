/**
 * XEP-0114 §3 (jabber:component:accept): the stream header a component opens
 * with, and the handshake digest: lower-case hex SHA-1 of the stream id the
 * server gave concatenated with the shared secret.
 */
import { createHash } from "node:crypto";
import type { Element } from "@clawxmpp/core";
import { ComponentError } from "./component-error.js";
import { NS_COMPONENT, NS_STREAM, NS_STREAM_ERRORS } from "./namespaces.js";

/** The opening stream tag (never closed until we leave). */
export function streamHeader(domain: string): string {
  const to = domain.replace(/[&<>'"]/gu, (c) => `&#${c.charCodeAt(0)};`);
  return `<?xml version='1.0'?><stream:stream xmlns='${NS_COMPONENT}' xmlns:stream='${NS_STREAM}' to='${to}'>`;
}

/** `<handshake>` content: hex SHA-1 of stream id + secret (XEP-0114 §3, step 3). */
export function handshakeDigest(streamId: string, secret: string): string {
  return createHash("sha1")
    .update(streamId + secret, "utf8")
    .digest("hex");
}

/** Conditions after which retrying with the same configuration cannot succeed. */
const TERMINAL = new Set([
  "not-authorized",
  "host-unknown",
  "improper-addressing",
  "invalid-namespace",
]);

/** The error a `<stream:error/>` stands for; `during` says whether the handshake was running. */
export function streamErrorOf(element: Element, during: "handshake" | "session"): ComponentError {
  let condition = "undefined-condition";
  let text: string | undefined;
  for (const child of element.getChildElements()) {
    if (child.attrs.xmlns !== undefined && child.attrs.xmlns !== NS_STREAM_ERRORS) continue;
    if (child.name === "text") text = child.text();
    else condition = child.name;
  }
  const detail = text ? ` (${text})` : "";
  if (during === "handshake" && TERMINAL.has(condition)) {
    const why =
      condition === "not-authorized"
        ? "the server refused the handshake: wrong component secret"
        : `the server refused the component: ${condition}`;
    return new ComponentError("handshake", `${why}${detail}`, { terminal: true, condition });
  }
  return new ComponentError("stream", `stream error: ${condition}${detail}`, {
    terminal: condition === "host-unknown",
    condition,
  });
}
