/**
 * Reconnect delays: exponential backoff with jitter, so a fleet of bots does
 * not reconnect in lockstep after a server restart.
 */

/** Backoff parameters (see `reconnect` in the client options). */
export interface BackoffOptions {
  initialDelay: number;
  maxDelay: number;
  factor: number;
  jitter: number;
}

/** Delay before reconnect attempt number `attempt` (0-based). `random` is in [0, 1). */
export function backoffDelay(
  options: BackoffOptions,
  attempt: number,
  random: number = Math.random(),
): number {
  const base = Math.min(
    options.maxDelay,
    options.initialDelay * options.factor ** Math.min(attempt, 64),
  );
  const spread = base * options.jitter;
  return Math.max(0, Math.round(base - spread / 2 + spread * random));
}
