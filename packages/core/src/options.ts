/**
 * Options of {@link createClient}, validated once by zod. Secure by default:
 * TLS is required; plaintext is possible only when explicitly allowed and the
 * server is a loopback address (for tests).
 */
import { z } from "zod";
import type { ArchiveCursorStore } from "./archive.js";
import type { Clock } from "./clock.js";
import type { FastTokenStore } from "./connection/fast.js";
import { dnsOptionsSchema } from "./dns-options.js";
import { tryParseJid } from "./jid.js";
import type { Logger } from "./logger.js";
import { traceOptionSchema } from "./trace.js";
import type { TransportFactory } from "./transport.js";

const ms = (def: number, min = 1) => z.number().int().min(min).default(def);

/** TLS settings. */
export const tlsOptionsSchema = z
  .object({
    /**
     * `starttls` (RFC 6120 §5, port 5222), `direct` (XEP-0368 direct TLS, port 5223),
     * or `none` (plaintext; needs `allowPlaintextOnLoopback` and a loopback server).
     * @default "starttls"
     */
    mode: z.enum(["starttls", "direct", "none"]).default("starttls"),
    /** Extra CA certificates (PEM) to trust, e.g. a test server's self-signed CA. */
    ca: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
    /** Permit `mode: "none"` when the server is 127.0.0.0/8, ::1 or localhost. @default false */
    allowPlaintextOnLoopback: z.boolean().default(false),
    /** Minimum TLS version. @default "TLSv1.2" */
    minVersion: z.enum(["TLSv1.2", "TLSv1.3"]).default("TLSv1.2"),
    /** Maximum TLS version, for servers that misbehave with TLS 1.3. @default Node's (TLSv1.3) */
    maxVersion: z.enum(["TLSv1.2", "TLSv1.3"]).optional(),
  })
  .strict()
  .default({ mode: "starttls", allowPlaintextOnLoopback: false, minVersion: "TLSv1.2" });

/** Per-step connection timeouts in milliseconds. */
export const timeoutsSchema = z
  .object({
    /** TCP connect. @default 10000 */
    connect: ms(10_000),
    /** TLS handshake. @default 10000 */
    tls: ms(10_000),
    /** Waiting for the stream header and stream features. @default 10000 */
    features: ms(10_000),
    /** SASL authentication. @default 15000 */
    auth: ms(15_000),
    /** Resource binding or stream resumption. @default 10000 */
    bind: ms(10_000),
    /** Default timeout of IQ requests. @default 30000 */
    iq: ms(30_000),
  })
  .strict()
  .prefault({});

/**
 * Reconnect policy. The first minute of an outage retries at most `fastMaxDelay` apart, so the
 * client is back within about a second of its server; later attempts spread out to `maxDelay`.
 * A successful login resets it; an authentication failure is never retried.
 */
export const reconnectSchema = z
  .object({
    /** Reconnect after a lost connection. @default true */
    enabled: z.boolean().default(true),
    /** Base of the first delay after a connection is lost, in ms. @default 200 */
    initialDelay: ms(200, 0),
    /** Largest delay during the first `fastPhase` ms of an outage. @default 750 */
    fastMaxDelay: ms(750, 0),
    /** How long an outage counts as short, in ms. @default 60000 */
    fastPhase: ms(60_000, 0),
    /** Largest delay after the fast phase, in ms. @default 4000 */
    maxDelay: ms(4_000),
    /** Growth factor per failed attempt. @default 2 */
    factor: z.number().min(1).default(2),
    /** Random share taken off each delay, 0..1 (0.5 = each delay between half and all of its base). @default 0.5 */
    jitter: z.number().min(0).max(1).default(0.5),
  })
  .strict()
  .prefault({});

/**
 * How the client logs in beyond the password: SASL2 (XEP-0388) with inline Bind2 (XEP-0386),
 * and FAST tokens (XEP-0484) so reconnects and restarts skip the password exchange.
 */
export const loginOptionsSchema = z
  .object({
    /**
     * Use SASL2 with inline resource binding, XEP-0198 and carbons when the server offers it
     * (one round trip instead of four); `false` always uses RFC 6120 SASL and bind. @default true
     */
    sasl2: z.boolean().default(true),
    /**
     * Bind the resource inline with SASL2 (XEP-0386 Bind2) when the server offers it. ejabberd
     * treats a Bind2 login as a client that syncs from its archive: when MAM archives the
     * account's messages it deletes the offline messages instead of delivering them. So by default
     * Bind2 is used only with `archive.catchUp` on, and a client without it binds after SASL2
     * (RFC 6120, one round trip more) and gets its offline messages on every server.
     * @default archive.catchUp
     */
    bind2: z.boolean().optional(),
    /** The XEP-0388 user agent, which lets the server recognise this client across logins. */
    userAgent: z
      .object({
        /**
         * Stable id (a UUID) of this client installation. @default the stored FAST token's, else
         * a random one per client object (stable across its reconnects)
         */
        id: z.uuid().optional(),
        /** Device name the server may show the account's owner, e.g. the host name. @default none */
        device: z.string().min(1).max(256).optional(),
      })
      .strict()
      .prefault({}),
    /** FAST (XEP-0484): a token from the server replaces the password on later logins. */
    fast: z
      .object({
        /** Request and use FAST tokens when the server offers them (SASL2 only). @default true */
        enabled: z.boolean().default(true),
        /**
         * With a stored FAST token (this server offered STARTTLS and SASL2 before), write
         * `<starttls/>` right behind the stream header instead of waiting for the features: one
         * round trip less per reconnect. Nothing secret goes out before TLS; the features are
         * still checked when they arrive, and a server that refuses is retried the usual way.
         * @default true
         */
        pipelineStarttls: z.boolean().default(true),
        /**
         * Where the token is kept: a file path (JSON, written atomically with mode 0600; keep it
         * in a private state directory, the token is a credential), or an object with `load()`,
         * `save(token)` and `clear()`. @default in memory (reconnects of this process only)
         */
        store: z
          .union([
            z.string().min(1),
            z.custom<FastTokenStore>(
              (value) =>
                typeof value === "object" &&
                value !== null &&
                typeof (value as FastTokenStore).load === "function" &&
                typeof (value as FastTokenStore).save === "function" &&
                typeof (value as FastTokenStore).clear === "function",
              { message: "must be a file path or an object with load(), save(token) and clear()" },
            ),
          ])
          .optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

/** Options of `createClient`. */
export const clientOptionsSchema = z
  .object({
    /** The account's JID, e.g. `bot@example.org` (a resource here is ignored; use `resource`). */
    jid: z.string().refine((value) => tryParseJid(value)?.local !== undefined, {
      message: "must be a JID like bot@example.org",
    }),
    /** The account's password. */
    password: z.string().min(1, "must not be empty"),
    /** Host name or IP to connect to. @default the JID's domain */
    server: z.string().min(1).optional(),
    /** TCP port. @default 5222 (5223 with direct TLS) */
    port: z.number().int().min(1).max(65535).optional(),
    /**
     * Resource to bind; with SASL2 Bind2 (XEP-0386) the tag the server derives the resource from
     * (`client.jid` has the bound one). @default "clawxmpp-" + random
     */
    resource: z.string().min(1).max(1023).optional(),
    /** TLS policy. */
    tls: tlsOptionsSchema,
    /** Per-step timeouts. */
    timeouts: timeoutsSchema,
    /** SASL2, Bind2, FAST and the user agent (see {@link loginOptionsSchema}). */
    login: loginOptionsSchema,
    /** Reconnect policy. */
    reconnect: reconnectSchema,
    /** XEP-0199 keepalive: ping the server after `interval` ms without traffic; no pong within `timeout` ms = dead socket. */
    keepalive: z
      .object({
        /** Idle time before a ping; 0 disables keepalive. @default 30000 */
        interval: z.number().int().min(0).default(30_000),
        /** Time to wait for the pong. @default 10000 */
        timeout: ms(10_000),
      })
      .strict()
      .prefault({}),
    /** Enable XEP-0280 carbons so messages from the account's other clients are seen. @default true */
    carbons: z.boolean().default(true),
    /** XEP-0313 catch-up: after a new session, fetch what the archive received since the last message seen. */
    archive: z
      .object({
        /** Fetch missed messages after reconnecting (needs MAM on the server). @default false */
        catchUp: z.boolean().default(false),
        /** Where the last seen archive id is kept; in memory when left out (catch-up within one process only). */
        cursor: z
          .custom<ArchiveCursorStore>(
            (value) =>
              typeof value === "object" && value !== null && "load" in value && "save" in value,
            { message: "must be an object with load() and save(id)" },
          )
          .optional(),
        /** Stop after this many archived messages per catch-up. @default 5000 */
        maxMessages: z.number().int().min(1).default(5_000),
        /** Messages per page (XEP-0059). @default 100 */
        pageSize: z.number().int().min(1).max(1_000).default(100),
      })
      .strict()
      .prefault({}),
    /**
     * End-to-end delivery (XEP-0184 receipts on top of XEP-0198): chat messages ask for a receipt
     * and are sent once more after a new session if the peer never confirmed them (a server that
     * dies after acknowledging loses what it had not delivered); receipt requests are answered,
     * duplicates included. For peers that answer receipts (clawxmpp with this on, most clients).
     */
    delivery: z
      .object({
        /** Request, track and answer receipts. @default false */
        receipts: z.boolean().default(false),
        /** Most messages awaiting a receipt; the oldest are forgotten beyond it. @default 5000 */
        maxPending: z.number().int().min(1).default(5_000),
        /** A message without a receipt for this long is no longer re-sent, in ms. @default 600000 */
        maxAge: z.number().int().min(1).default(600_000),
      })
      .strict()
      .prefault({}),
    /**
     * IQ requests each other entity may make (our own server and account are not limited): a burst,
     * then a steady rate; beyond it one `resource-constraint` error a second, the rest ignored.
     */
    iqBudget: z
      .object({
        /** Requests in a burst. @default 100 */
        burst: z.number().int().min(1).default(100),
        /** Requests per second over time. @default 20 */
        perSecond: z.number().min(0.01).default(20),
      })
      .strict()
      .prefault({}),
    /**
     * Maximum application stanzas not yet confirmed by the server (waiting while offline, or
     * unacknowledged); a send beyond it fails with `queue-full`. Session setup and IQs are not
     * counted. @default 1000
     */
    queueSize: z.number().int().min(1).default(1_000),
    /** Software name and version answered to XEP-0092 and used in caps. */
    software: z
      .object({
        /** Software name answered to XEP-0092 and shown in disco. @default "clawxmpp" */
        name: z.string().min(1).default("clawxmpp"),
        /** Software version answered to XEP-0092. @default "0.1.0" */
        version: z.string().min(1).default("0.1.0"),
      })
      .strict()
      .prefault({}),
    /** Logger; silent by default. */
    logger: z.custom<Logger>((value) => typeof value === "object" && value !== null).optional(),
    /** Clock for timers (tests). */
    clock: z.custom<Clock>((value) => typeof value === "object" && value !== null).optional(),
    /** Transport factory (tests use the fake transport from `@clawxmpp/test`). */
    transport: z.custom<TransportFactory>((value) => typeof value === "function").optional(),
    /**
     * DNS SRV lookup (RFC 6120 §3.2.1, XEP-0368), used when neither `server` nor `port` is set:
     * `_xmpps-client._tcp` (direct TLS) and `_xmpp-client._tcp` (STARTTLS) records of the JID's
     * domain, by priority and weight, falling back to the domain on port 5222. The certificate
     * is always checked against the JID's domain, never the SRV target. With `tls.mode:
     * "direct"` only `_xmpps-client` records are used (fallback port 5223); with `"none"` none.
     * IP-literal and `localhost` domains are not looked up unless `dns.servers` is set.
     */
    dns: dnsOptionsSchema,
    /**
     * XML trace of every element in and out (stream headers and nonzas included) with
     * passwords, SASL payloads and FAST tokens redacted: `true` prints to stderr, a function
     * `(direction: "in" | "out", xml: string) => void` receives each element, `false` keeps it
     * off even when the `CLAWXMPP_XML_TRACE` environment variable is set.
     * @default off, or stderr when `CLAWXMPP_XML_TRACE=1`
     */
    trace: traceOptionSchema,
  })
  .strict()
  .superRefine((options, ctx) => {
    if (options.tls.mode !== "none") return;
    if (!options.tls.allowPlaintextOnLoopback) {
      ctx.addIssue({
        code: "custom",
        path: ["tls", "mode"],
        message:
          'plaintext ("none") also needs tls.allowPlaintextOnLoopback: true; use "starttls" or "direct"',
      });
      return;
    }
    const host = options.server ?? tryParseJid(options.jid)?.domain ?? "";
    if (!isLoopbackHost(host)) {
      ctx.addIssue({
        code: "custom",
        path: ["server"],
        message: `plaintext is only allowed to a loopback server (127.0.0.1, ::1, localhost), not ${host}`,
      });
    }
  });

/** What callers pass to `createClient`. */
export type ClientOptions = z.input<typeof clientOptionsSchema>;
/** Options after defaults are applied. */
export type ResolvedClientOptions = z.output<typeof clientOptionsSchema>;

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/gu, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/u.test(h);
}
