/**
 * Reconnect delays. A server that restarts is usually back within seconds,
 * so the first minute of an outage retries quickly (never more than
 * `fastMaxDelay` apart: back online within about a second of the server);
 * after that attempts spread out up to `maxDelay`. Every delay is drawn from
 * [base × (1 − jitter), base], so a fleet of bots does not reconnect in
 * lockstep and no delay exceeds its cap. A successful login starts over.
 */

/** Backoff parameters (see `reconnect` in the client options). */
export interface BackoffOptions {
  /** Base of the first delay after a connection is lost. */
  initialDelay: number;
  /** Cap while the outage is younger than `fastPhase`. @default maxDelay */
  fastMaxDelay?: number | undefined;
  /** How long an outage counts as "short", in ms. @default 0 */
  fastPhase?: number | undefined;
  /** Cap after the fast phase. */
  maxDelay: number;
  /** Growth per failed attempt. */
  factor: number;
  /** Random share taken off each delay, 0..1. */
  jitter: number;
}

/**
 * Delay before attempt number `attempt` (0-based) of an outage that began `outageMs` ago.
 * `random` is in [0, 1).
 */
export function backoffDelay(
  options: BackoffOptions,
  attempt: number,
  outageMs = 0,
  random: number = Math.random(),
): number {
  const fast = options.fastMaxDelay !== undefined && outageMs < (options.fastPhase ?? 0);
  const cap = fast
    ? Math.min(options.fastMaxDelay ?? options.maxDelay, options.maxDelay)
    : options.maxDelay;
  const base = Math.min(cap, options.initialDelay * options.factor ** Math.min(attempt, 64));
  return Math.max(0, Math.round(base * (1 - options.jitter * random)));
}
