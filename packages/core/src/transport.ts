/**
 * The seam between the client and the socket. The real transport composes
 * @xmpp/client 0.14's connection packages (see `connection/`); the fake
 * transport in `@clawxmpp/test` implements the same interface in memory.
 */

import type { FastTokenStore } from "./connection/fast.js";
import type { SrvSettings } from "./dns-options.js";
import type { Logger } from "./logger.js";
import type { TraceFn } from "./trace.js";
import type { Element } from "./xml.js";

/** What the client asks for when it opens a stream. */
export interface OpenRequest {
  /** Resource to bind when the session is new. */
  resource: string;
  /** Enable XEP-0198 on a new session. */
  enableStreamManagement: boolean;
  /** Try to resume this XEP-0198 session instead of binding. */
  resume?: { id: string; h: number } | undefined;
  /** Enable XEP-0280 carbons inline (XEP-0386) when the server offers it. */
  carbons?: boolean | undefined;
}

/** How a login went (for stats and tests). */
export interface LoginInfo {
  /** `sasl1`: RFC 6120 SASL, restart, bind; `sasl2`: XEP-0388 (with Bind2 when `bind2`). */
  path: "sasl1" | "sasl2";
  /** SASL mechanism, e.g. `SCRAM-SHA-256-PLUS` or `HT-SHA-256-EXPR`. */
  mechanism: string;
  /** Channel binding type used, undefined for none. */
  channelBinding: string | undefined;
  /** True when a FAST token (XEP-0484) was used instead of the password. */
  fast: boolean;
  /** True when the server issued a (new or rotated) FAST token in this login. */
  tokenIssued: boolean;
  /** True when the resource was bound inline (XEP-0386). */
  bind2: boolean;
  /** XEP-0474: `verified`, `absent` (server sent no hash), `unchecked` (not SCRAM). */
  ssdp: "verified" | "absent" | "unchecked";
  /** XEP-0480 upgrade tasks run. */
  upgrades: string[];
  /** TLS protocol of the connection (e.g. `TLSv1.3`); the certificate was verified, or no login. */
  tlsVersion?: string | undefined;
}

/** Login settings beyond the password (XEP-0388 user agent, XEP-0484 tokens). */
export interface LoginSettings {
  /** Use SASL2 when offered. */
  sasl2: boolean;
  /** Bind inline (XEP-0386) when SASL2 offers it; RFC 6120 bind after SASL2 when false. @default true */
  bind2?: boolean | undefined;
  /** Request and use FAST tokens when offered. */
  fast: boolean;
  /** Where FAST tokens are kept. */
  tokenStore: FastTokenStore;
  /**
   * With a stored FAST token, write `<starttls/>` without waiting for the features. The transport
   * turns it off (for the client's lifetime) when a server refuses the early `<starttls/>`.
   */
  pipelineStarttls?: boolean | undefined;
  /** The XEP-0388 user agent; `id` stays the same across reconnects (and restarts when configured). */
  userAgent: { id: string; software?: string | undefined; device?: string | undefined };
}

/** Outcome of opening a stream. */
export interface OpenResult {
  /** Full JID of the session. */
  jid: string;
  /** True when an earlier XEP-0198 session was resumed. */
  resumed: boolean;
  /** The server's `h` from `<resumed/>`, or from `<failed h=…/>` when resumption failed. */
  ackedByServer?: number | undefined;
  /** Resumption was asked for and refused. */
  resumeFailed: boolean;
  /** XEP-0198 state of the new stream, when enabled or resumed. */
  streamManagement?:
    | { id?: string | undefined; max?: number | undefined; resumable: boolean }
    | undefined;
  /** True when the stream is encrypted. */
  secure: boolean;
  /** SASL mechanism used (for status and tests). */
  mechanism: string;
  /** Carbons were enabled inline (the client need not enable them again). */
  carbonsEnabled?: boolean | undefined;
  /** How the login went; transports that do not tell leave it out. */
  login?: LoginInfo | undefined;
}

/** Callbacks the transport reports through. */
export interface TransportListener {
  /** Every element received after stream negotiation, in arrival order. */
  element(element: Element): void;
  /** The socket closed; `error` says why when it was not a clean close. */
  closed(error?: Error): void;
}

/** One connection attempt's socket and stream. */
export interface Transport {
  open(request: OpenRequest): Promise<OpenResult>;
  /** Writes the elements in one write; rejects when the socket is gone. */
  write(elements: readonly Element[]): Promise<void>;
  /** Closes the stream politely, then the socket. */
  close(): Promise<void>;
  /** Drops the socket at once (dead-peer detection, tests). */
  destroy(): void;
}

/** Connection parameters the client hands to a transport factory. */
export interface TransportParams {
  jid: string;
  password: string;
  host: string;
  port: number;
  domain: string;
  tls: {
    mode: "starttls" | "direct" | "none";
    ca?: string | string[] | undefined;
    minVersion: "TLSv1.2" | "TLSv1.3";
    maxVersion?: "TLSv1.2" | "TLSv1.3" | undefined;
  };
  timeouts: { connect: number; tls: number; features: number; auth: number; bind: number };
  listener: TransportListener;
  /**
   * Find the server by DNS SRV (RFC 6120 §3.2.1, XEP-0368) for `domain` instead of using
   * `host`/`port`. The client sets it when neither `server` nor `port` was given. Ignored (so
   * `host`/`port` apply) with `tls.mode: "none"`, and for IP-literal or `localhost` domains
   * unless `servers` is set.
   */
  srv?: SrvSettings | undefined;
  /** Where each connection step is logged at debug level. @default silent */
  logger?: Logger | undefined;
  /** XML trace sink (redacted), already resolved from the option and environment; undefined = off. */
  trace?: TraceFn | undefined;
  /** SASL2/FAST settings; without them the transport logs in with SASL1 and the password. */
  login?: LoginSettings | undefined;
}

/** Creates one transport per connection attempt. */
export type TransportFactory = (params: TransportParams) => Transport;
