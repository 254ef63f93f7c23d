/**
 * Channel binding data (RFC 5929 tls-unique and tls-server-end-point,
 * RFC 9266 tls-exporter) read from Node's TLS socket for SCRAM-…-PLUS.
 */
import { createHash } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type { ChannelBindingType } from "./sasl.js";

/** The binding data of `socket` for `type`, or undefined when it does not apply. */
export function channelBindingData(
  socket: TLSSocket,
  type: ChannelBindingType,
): Buffer | undefined {
  const tls13 = socket.getProtocol() === "TLSv1.3";
  switch (type) {
    case "tls-exporter":
      // RFC 9266 §2: only safe with TLS 1.3 (or 1.2 with extended master secret, which Node does not expose).
      return tls13
        ? socket.exportKeyingMaterial(32, "EXPORTER-Channel-Binding", Buffer.alloc(0))
        : undefined;
    case "tls-unique":
      // RFC 5929 §3.1: the first Finished message of the latest handshake; undefined in TLS 1.3.
      return tls13 ? undefined : (socket.getFinished() ?? undefined);
    case "tls-server-end-point": {
      // RFC 5929 §4.1: hash of the server certificate, SHA-256 for MD5/SHA-1 and the common
      // SHA-256-signed certificates (Node does not expose the signature algorithm).
      const raw = socket.getPeerCertificate(false)?.raw;
      return raw ? createHash("sha256").update(raw).digest() : undefined;
    }
    default:
      return undefined;
  }
}
