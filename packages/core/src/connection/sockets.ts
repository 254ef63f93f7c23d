/**
 * Transport classes for @xmpp/client-core with the socket options xmpp.js
 * 0.14 does not expose: TCP_NODELAY (Nagle costs ~45 ms per round trip),
 * a trusted CA list, SNI and a minimum TLS version, and an error listener on
 * the raw socket so an EPIPE can never become an uncaught exception.
 */
import { Socket as NetSocket } from "node:net";
import {
  type ConnectionOptions,
  createSecureContext,
  rootCertificates,
  type SecureContext,
} from "node:tls";
import ConnectionTCP from "@xmpp/tcp/lib/Connection.js";
import ConnectionTLS from "@xmpp/tls/lib/Connection.js";
import TlsSocket from "@xmpp/tls/lib/Socket.js";

/** TLS settings applied to direct TLS and STARTTLS alike. */
export interface TlsSettings {
  servername: string;
  ca?: string | string[] | undefined;
  minVersion: "TLSv1.2" | "TLSv1.3";
  maxVersion?: "TLSv1.2" | "TLSv1.3" | undefined;
}

/** Builds `tls.connect` options from our settings. */
export function tlsConnectOptions(settings: TlsSettings): ConnectionOptions {
  const options: ConnectionOptions = {
    host: settings.servername,
    minVersion: settings.minVersion,
    rejectUnauthorized: true,
  };
  if (settings.maxVersion) options.maxVersion = settings.maxVersion;
  if (!isIp(settings.servername)) options.servername = settings.servername;
  if (settings.ca !== undefined) options.secureContext = secureContextFor(settings);
  return options;
}

// Parsing Node's ~150 root certificates again for every connection costs ~1 MB and CPU each time:
// build one context per CA list and reuse it.
const contexts = new Map<string, SecureContext>();

function secureContextFor(settings: TlsSettings): SecureContext {
  const { minVersion, maxVersion } = settings;
  const extra = [settings.ca ?? []].flat();
  const key = `${minVersion}-${maxVersion}\n${extra.join("\n")}`;
  let context = contexts.get(key);
  if (!context) {
    // `ca` replaces Node's bundle; keep the public roots so real servers still verify.
    context = createSecureContext({
      ca: [...rootCertificates, ...extra],
      minVersion,
      ...(maxVersion ? { maxVersion } : {}),
    });
    if (contexts.size > 16) contexts.clear();
    contexts.set(key, context);
  }
  return context;
}

/** Transport classes (plain TCP + STARTTLS, direct TLS) bound to one client's TLS settings. */
export function transportClasses(settings: TlsSettings): unknown[] {
  class PlainSocket extends NetSocket {
    secure = false;
    constructor() {
      super();
      this.setNoDelay(true);
      // Failures also surface as `close`; an error without a listener would crash the process.
      this.on("error", () => {});
    }

    override connect(...args: unknown[]): this {
      const [options] = args as [{ host?: string } | undefined];
      if (options && typeof options === "object" && options.host) {
        options.host = unbracket(options.host);
      }
      return (super.connect as (...a: unknown[]) => this)(...args);
    }
  }

  class DirectTlsSocket extends TlsSocket {
    override connect(params: ConnectionOptions): void {
      super.connect({
        ...tlsConnectOptions(settings),
        port: params.port,
        host: params.host === undefined ? undefined : unbracket(params.host),
        // XEP-0368 §3: lets a server sharing port 443 with other services route us to XMPP.
        ALPNProtocols: ["xmpp-client"],
      });
      this.socket?.setNoDelay(true);
      this.socket?.on("error", () => {});
    }
  }

  const Tcp = class extends (ConnectionTCP as unknown as new () => object) {};
  (Tcp.prototype as { Socket: unknown }).Socket = PlainSocket;
  const Tls = class extends (ConnectionTLS as unknown as new () => object) {};
  (Tls.prototype as { Socket: unknown }).Socket = DirectTlsSocket;
  return [Tcp, Tls];
}

/** The service URI keeps IPv6 literals in brackets (only `[::1]` is unwrapped by xmpp.js). */
function unbracket(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function isIp(host: string): boolean {
  return /^[\d.]+$/u.test(host) || host.includes(":");
}
