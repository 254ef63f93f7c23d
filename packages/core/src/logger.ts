/** Minimal structured logger the core and plugins write to. */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
  /** A logger whose messages are prefixed with `[name]`. */
  child(name: string): Logger;
}

/** A logger that drops everything (the default). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

type Level = "debug" | "info" | "warn" | "error";
const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger writing one line per entry to stderr, at or above `level`. */
export function consoleLogger(level: Level = "info", prefix = "clawxmpp"): Logger {
  const min = LEVELS[level];
  const write = (at: Level) => (message: string, data?: Record<string, unknown>) => {
    if (LEVELS[at] < min) return;
    const extra = data && Object.keys(data).length > 0 ? ` ${safeJson(data)}` : "";
    process.stderr.write(
      `${new Date().toISOString()} ${at.padEnd(5)} [${prefix}] ${message}${extra}\n`,
    );
  };
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    child: (name) => consoleLogger(level, `${prefix}:${name}`),
  };
}

function safeJson(data: Record<string, unknown>): string {
  try {
    return JSON.stringify(data, (_key, value) => (value instanceof Error ? value.message : value));
  } catch {
    return "[unserialisable]";
  }
}
