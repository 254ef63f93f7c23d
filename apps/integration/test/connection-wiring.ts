/**
 * Until the client passes `dns`, `trace` and its logger down to the transport (core v2's
 * client rewrite), the connection tests inject them through the `transport` option with the
 * same semantics the client will have: SRV only when neither `server` nor `port` is given, the
 * trace resolved once when the client is created. Drop `transport: wired(…)` after the merge;
 * the tests also pass `dns`/`trace`/`logger` as ordinary client options.
 */
import {
  type ClientOptions,
  type Logger,
  resolveTrace,
  type TraceOption,
  type TransportFactory,
  xmppTransport,
} from "@clawxmpp/core";

/** The transport factory the rewritten client will amount to for these options. */
export function wired(options: {
  server?: string;
  port?: number;
  dns?: ClientOptions["dns"];
  trace?: TraceOption;
  logger?: Logger;
}): TransportFactory {
  const trace = resolveTrace(options.trace);
  const srv =
    options.server === undefined && options.port === undefined
      ? { timeout: options.dns?.timeout ?? 5_000, servers: options.dns?.servers }
      : undefined;
  return (params) => xmppTransport({ ...params, srv, trace, logger: options.logger });
}

/** A logger keeping every line (message plus JSON data) for assertions. */
export function captureLogger(lines: string[] = [], prefix = "clawxmpp"): Logger {
  const at =
    (level: string) =>
    (message: string, data?: Record<string, unknown>): void => {
      lines.push(`${level} [${prefix}] ${message}${data ? ` ${JSON.stringify(data)}` : ""}`);
    };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (name) => captureLogger(lines, `${prefix}:${name}`),
  };
}
