/**
 * The XML trace switch: every element in and out of the stream, stream
 * headers and nonzas included, with secrets redacted (see
 * `connection/redact.ts`). Off unless the `trace` option or the
 * `CLAWXMPP_XML_TRACE` environment variable turns it on; when off the
 * transport installs no hook at all, so it costs nothing per stanza.
 */
import { z } from "zod";

/** Direction of a traced element, seen from the client. */
export type TraceDirection = "in" | "out";

/** Receives each traced element as XML text, already redacted. */
export type TraceFn = (direction: TraceDirection, xml: string) => void;

/** The environment variable that turns the trace on (`1`, `true`, `yes` or `on`). */
export const TRACE_ENV = "CLAWXMPP_XML_TRACE";

/**
 * `trace` option: `true` prints each element to stderr, a function receives them, `false`
 * turns the trace off even when `CLAWXMPP_XML_TRACE` is set. Passwords, SASL payloads and
 * FAST tokens are always redacted. @default off (on with `CLAWXMPP_XML_TRACE=1`)
 */
export const traceOptionSchema = z
  .union([
    z.boolean(),
    z.custom<TraceFn>((value) => typeof value === "function", {
      message: "must be a boolean or a function (direction, xml) => void",
    }),
  ])
  .optional();

/** What callers pass as `trace`. */
export type TraceOption = z.input<typeof traceOptionSchema>;

/** Writes one trace line to stderr: `<time> xml   [clawxmpp] >> <message …/>`. */
export function stderrTrace(direction: TraceDirection, xml: string): void {
  process.stderr.write(
    `${new Date().toISOString()} xml   [clawxmpp] ${direction === "in" ? "<<" : ">>"} ${xml}\n`,
  );
}

/**
 * The trace sink for a client: the option when given, else the environment variable. Call it
 * when the client is created (not at import), so a process can set the variable first.
 */
export function resolveTrace(
  option: TraceOption,
  env: Record<string, string | undefined> = process.env,
): TraceFn | undefined {
  if (typeof option === "function") return option;
  if (option !== undefined) return option ? stderrTrace : undefined;
  const value = env[TRACE_ENV]?.trim().toLowerCase();
  return value === "1" || value === "true" || value === "yes" || value === "on"
    ? stderrTrace
    : undefined;
}
