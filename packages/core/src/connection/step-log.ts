/**
 * What the debug log says about negotiation steps (RFC 6120 §5 TLS, §4.3
 * stream features), kept short and free of secrets.
 */
import type { TLSSocket } from "node:tls";
import type { Element } from "../xml.js";

const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";

/** The features offered, with the SASL mechanisms spelled out. */
export function featuresSummary(features: Element, secure: boolean): Record<string, unknown> {
  const offered = features
    .getChildElements()
    .map((c) => (c.name === "sm" && c.attrs.xmlns ? `sm(${c.attrs.xmlns})` : c.name));
  const mechanisms = features
    .getChild("mechanisms", NS_SASL)
    ?.getChildren("mechanism")
    .map((m) => m.text().trim());
  return { secure, offered, ...(mechanisms ? { mechanisms } : {}) };
}

/** Protocol, cipher and identity of an established TLS channel. */
export function tlsSummary(
  socket: TLSSocket,
  via: string,
  servername: string,
): Record<string, unknown> {
  return {
    via,
    protocol: socket.getProtocol(),
    cipher: socket.getCipher()?.name,
    ...(socket.alpnProtocol ? { alpn: socket.alpnProtocol } : {}),
    servername,
    authorized: socket.authorized,
  };
}
