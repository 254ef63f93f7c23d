/**
 * A bounded IQ budget per sender (RFC 6120 §8.3.3.18 `resource-constraint`):
 * a token bucket per bare JID, so one entity flooding requests is answered
 * with an error once per second and otherwise ignored, while everyone else
 * is served as usual. The table of senders is bounded too.
 */

/** What to do with a request. */
export type BudgetVerdict = "serve" | "refuse" | "drop";

interface Bucket {
  tokens: number;
  updated: number;
  refusedAt: number;
  loggedAt: number;
}

/** Options of {@link IqBudget}. */
export interface IqBudgetOptions {
  /** Requests a sender may make in a burst. */
  burst: number;
  /** Requests per second a sender may make over time. */
  perSecond: number;
  now: () => number;
  /** Called at most once a minute per sender when its budget is exceeded. */
  onExceeded: (sender: string) => void;
}

const MAX_SENDERS = 10_000;

export class IqBudget {
  readonly #options: IqBudgetOptions;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: IqBudgetOptions) {
    this.#options = options;
  }

  /** Spends one request of `sender`'s budget. */
  take(sender: string): BudgetVerdict {
    const { burst, perSecond, now: clock } = this.#options;
    const now = clock();
    let bucket = this.#buckets.get(sender);
    if (bucket === undefined) {
      if (this.#buckets.size >= MAX_SENDERS) this.#evict(now);
      bucket = { tokens: burst, updated: now, refusedAt: -Infinity, loggedAt: -Infinity };
    } else {
      // Re-insert: the Map's order is then least recently used first.
      this.#buckets.delete(sender);
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updated) / 1000) * perSecond);
      bucket.updated = now;
    }
    this.#buckets.set(sender, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return "serve";
    }
    if (now - bucket.loggedAt >= 60_000) {
      bucket.loggedAt = now;
      this.#options.onExceeded(sender);
    }
    if (now - bucket.refusedAt >= 1_000) {
      bucket.refusedAt = now;
      return "refuse";
    }
    return "drop";
  }

  /** Senders tracked (introspection). */
  get size(): number {
    return this.#buckets.size;
  }

  #evict(now: number): void {
    // Full buckets carry no state worth keeping; then the least recently used go, down to 90 %
    // of the cap, so this scan runs once per thousand new senders rather than for each one (a
    // flood from many distinct JIDs would otherwise cost a 10,000-entry scan per request).
    for (const [sender, bucket] of this.#buckets) {
      const refilled = bucket.tokens + ((now - bucket.updated) / 1000) * this.#options.perSecond;
      if (refilled >= this.#options.burst) this.#buckets.delete(sender);
    }
    let excess = this.#buckets.size - Math.floor(MAX_SENDERS * 0.9);
    for (const sender of this.#buckets.keys()) {
      if (excess-- <= 0) break;
      this.#buckets.delete(sender);
    }
  }
}
