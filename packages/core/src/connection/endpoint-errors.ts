/**
 * Naming endpoints and reporting connect failures: one attempt's own error,
 * or, after several (DNS SRV, RFC 6120 §3.2.1), one error listing every
 * endpoint tried and why it failed.
 */
import { ClawXmppError } from "../errors.js";
import type { Endpoint } from "./srv.js";

/** The @xmpp/client-core service URI for an endpoint (xmpps:// means direct TLS). */
export function serviceUri(endpoint: Endpoint, address: string): string {
  const host = address.includes(":") ? `[${address}]` : address;
  return `${endpoint.tls === "direct" ? "xmpps" : "xmpp"}://${host}:${endpoint.port}`;
}

/** `host:port (address) mode [source]`, for logs and errors. */
export function describeEndpoint(endpoint: Endpoint, address?: string): string {
  const at = address && address !== endpoint.host ? ` (${address})` : "";
  return `${endpoint.host}:${endpoint.port}${at} ${endpoint.tls} [${endpoint.source}]`;
}

/** True for Node's certificate verification errors (retrying cannot fix them). */
export function isCertificateError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code ?? "";
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/u.test(code);
}

/** Wraps a socket-level connect failure (TCP, or the direct-TLS handshake). */
export function connectError(endpoint: Endpoint, error: unknown): ClawXmppError {
  if (ClawXmppError.isInstance(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const certificate = isCertificateError(error);
  return new ClawXmppError(
    certificate ? "tls" : "connection",
    `cannot connect to ${endpoint.host}:${endpoint.port}: ${reason}`,
    { cause: error, terminal: certificate },
  );
}

/** One error for a failed connect: the only attempt's own, or a list of every attempt. */
export function connectFailure(
  domain: string,
  failures: readonly { where: string; error: Error }[],
): Error {
  const [only] = failures;
  if (failures.length === 1 && only && ClawXmppError.isInstance(only.error)) return only.error;
  const terminal =
    failures.length > 0 &&
    failures.every((f) => ClawXmppError.isInstance(f.error) && f.error.terminal);
  const list = failures.map((f) => `  - ${f.where}: ${f.error.message}`).join("\n");
  return new ClawXmppError(
    terminal ? "tls" : "connection",
    `cannot connect to ${domain}; tried:\n${list || "  (no endpoint)"}`,
    { cause: failures.at(-1)?.error, terminal },
  );
}
