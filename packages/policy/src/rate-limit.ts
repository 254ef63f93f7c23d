/**
 * Per-sender token bucket, so one sender cannot flood the agent (the prior
 * plugin started an agent run for every stanza). Memory is bounded: at most
 * `maxSenders` buckets, the least recently used one is evicted first, and an
 * evicted sender simply starts again with a full bucket.
 */
import { z } from "zod";

/** Options of {@link createRateLimiter}. */
export const rateLimitOptionsSchema = z
  .object({
    /** Burst size: messages a sender may send at once. @default 5 */
    capacity: z.number().int().min(1).default(5),
    /** Tokens added per minute (sustained rate). @default 20 */
    refillPerMinute: z.number().positive().default(20),
    /** Senders tracked at most; the least recently seen are forgotten first. @default 10000 */
    maxSenders: z.number().int().min(1).default(10_000),
  })
  .strict();

/** Input of {@link createRateLimiter}. */
export type RateLimitOptionsInput = z.input<typeof rateLimitOptionsSchema>;

/** A source of time in milliseconds (inject a fake in tests). */
export interface TimeSource {
  now(): number;
}

/**
 * Outcome of {@link RateLimiter.consume}: `ok` (a token was taken), `first`
 * (refused, for the first time since `key` last got a token), `again` (refused again).
 */
export type RateVerdict = "ok" | "first" | "again";

/** A per-key token bucket limiter. */
export interface RateLimiter {
  /** Takes one token for `key`; false when the bucket is empty (the message should be dropped). */
  take(key: string): boolean;
  /** Like {@link take}, but tells a first refusal from later ones (to warn a sender once). */
  consume(key: string): RateVerdict;
  /** Tokens currently available to `key` (after refill). */
  available(key: string): number;
  /** Forgets every bucket. */
  clear(): void;
}

interface Bucket {
  tokens: number;
  at: number;
  /** Refused since it last got a token. */
  refused: boolean;
}

/** Creates a token bucket limiter; `clock` defaults to `Date`. */
export function createRateLimiter(
  options: z.output<typeof rateLimitOptionsSchema>,
  clock: TimeSource = Date,
): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const perMs = options.refillPerMinute / 60_000;

  const refill = (key: string): Bucket => {
    const now = clock.now();
    const bucket = buckets.get(key);
    if (!bucket) {
      const fresh = { tokens: options.capacity, at: now, refused: false };
      buckets.set(key, fresh);
      if (buckets.size > options.maxSenders) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
      return fresh;
    }
    // A clock that goes backwards must not mint tokens.
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(options.capacity, bucket.tokens + elapsed * perMs);
    bucket.at = Math.max(bucket.at, now);
    // Re-insert to keep Map order = least recently used first.
    buckets.delete(key);
    buckets.set(key, bucket);
    return bucket;
  };

  const consume = (key: string): RateVerdict => {
    const bucket = refill(key);
    if (bucket.tokens < 1) {
      const verdict = bucket.refused ? "again" : "first";
      bucket.refused = true;
      return verdict;
    }
    bucket.tokens -= 1;
    bucket.refused = false;
    return "ok";
  };

  return {
    take: (key) => consume(key) === "ok",
    consume,
    available(key) {
      return Math.floor(refill(key).tokens);
    },
    clear() {
      buckets.clear();
    },
  };
}
