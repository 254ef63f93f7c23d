/**
 * Options of {@link createComponent}, validated once by zod. The connection
 * policy (reconnect, keepalive, queue, IQ budget, timeouts, logging) is
 * core's own, so a component behaves like a client there.
 */
import {
  clientOptionsSchema,
  isLoopbackHost,
  type TransportFactory,
  tryParseJid,
} from "@clawxmpp/core";
import { z } from "zod";

const core = clientOptionsSchema.shape;

const identitySchema = z
  .object({
    /** XEP-0030 registry category, e.g. `component`, `client`, `gateway`, `conference`. */
    category: z.string().min(1),
    /** XEP-0030 registry type, e.g. `generic`, `bot`, `irc`, `text`. */
    type: z.string().min(1),
    /** Human-readable name. */
    name: z.string().min(1).optional(),
  })
  .strict();

/** Options of `createComponent`. */
export const componentOptionsSchema = z
  .object({
    /** The component's domain, e.g. `bots.example.org`: every JID of it is ours. */
    domain: z.string().refine((value) => {
      const jid = tryParseJid(value);
      return jid !== undefined && jid.local === undefined && jid.resource === undefined;
    }, "must be a domain like bots.example.org"),
    /** The shared secret (`component_secret` in Prosody, `password` in ejabberd's `ejabberd_service`). */
    secret: z.string().min(1, "must not be empty"),
    /** Host name or IP of the server's component port. @default "localhost" */
    host: z.string().min(1).default("localhost"),
    /** The server's component port. @default 5347 */
    port: z.number().int().min(1).max(65535).default(5347),
    /**
     * The server that may grant privileges (XEP-0356) and delegate namespaces (XEP-0355), and
     * whose users `sendAs` and roster calls address. @default the domain without its first label
     */
    server: z.string().min(1).optional(),
    /** Transport security of the component port. */
    tls: z
      .object({
        /** Direct TLS to the component port. @default false */
        enabled: z.boolean().default(false),
        /** Extra CA certificates (PEM). */
        ca: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
        /** Name the certificate must carry. @default the domain */
        servername: z.string().min(1).optional(),
        /**
         * Permit a plaintext connection to a non-loopback host (XEP-0114 has no STARTTLS; only on a
         * private network). Plaintext to 127.0.0.1, ::1 or localhost is always allowed. @default false
         */
        allowPlaintext: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** Identity of the domain itself in disco. @default { category: "component", type: "generic" } */
    identity: identitySchema.default({ category: "component", type: "generic" }),
    /**
     * Identity every other JID of the domain answers disco with, unless `disco.set` gave it its
     * own entry; `false` makes unlisted JIDs answer `item-not-found`. @default { category: "client", type: "bot" }
     */
    userIdentity: z
      .union([identitySchema, z.literal(false)])
      .default({ category: "client", type: "bot" }),
    /** TCP connect plus handshake, in ms. @default 10000 */
    handshakeTimeout: z.number().int().min(1).default(10_000),
    /** Largest single element accepted from the server, in bytes. @default 10 MiB */
    maxElementBytes: z
      .number()
      .int()
      .min(1024)
      .default(10 * 1024 * 1024),
    /** Reconnect policy (core's). */
    reconnect: core.reconnect,
    /** XEP-0199 keepalive (core's): a ping to the domain itself, routed through the server. */
    keepalive: core.keepalive,
    /** Default IQ timeout and other timeouts (core's; only `iq` applies to a component). */
    timeouts: core.timeouts,
    /** IQ requests each other entity may make (core's budget). */
    iqBudget: core.iqBudget,
    /** Application stanzas held while offline or unconfirmed (core's queue). @default 1000 */
    queueSize: core.queueSize,
    /** Software name and version answered to XEP-0092. */
    software: core.software,
    logger: core.logger,
    clock: core.clock,
    /** XML trace (core's option); the handshake digest is never traced. */
    trace: core.trace,
    /** Replaces the XEP-0114 socket (unit tests pass `fakeServer().factory` from `@clawxmpp/test`). */
    transport: z.custom<TransportFactory>((value) => typeof value === "function").optional(),
  })
  .strict()
  .superRefine((options, ctx) => {
    if (options.transport || options.tls.enabled || options.tls.allowPlaintext) return;
    if (!isLoopbackHost(options.host))
      ctx.addIssue({
        code: "custom",
        path: ["tls"],
        message: `plaintext to ${options.host} needs tls.allowPlaintext: true (or tls.enabled); only loopback is plaintext by default`,
      });
  });

/** What callers pass to `createComponent`. */
export type ComponentOptions = z.input<typeof componentOptionsSchema>;
/** Options after defaults. */
export type ResolvedComponentOptions = z.output<typeof componentOptionsSchema>;

/** The server domain that grants privileges: the component's parent domain by default. */
export function serverOf(options: ResolvedComponentOptions): string {
  if (options.server) return options.server.toLowerCase();
  const dot = options.domain.indexOf(".");
  return dot === -1 ? options.domain : options.domain.slice(dot + 1).toLowerCase();
}
