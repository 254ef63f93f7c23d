/** Logging helpers for the connection suites. */
import type { Logger } from "@clawxmpp/core";

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
