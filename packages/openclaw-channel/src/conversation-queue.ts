/**
 * One turn at a time per conversation (a direct chat or a room), bounded.
 *
 * Some turns must not wait in line: the answer to an agent's question
 * (`ask_user`), an `/approve` line and an owner's ad-hoc command, since the
 * turn ahead of them may be the one waiting for them. Such a turn *passes*:
 * it starts at once. The turns queued after it still wait for it to end, not
 * only for the turn ahead: OpenClaw (2026.9.6) finishes an answer only after
 * the run it answered has ended, and a new turn of the same session dispatched
 * in between stalls both — the new run's question prompt and replies are held
 * behind the unfinished answer until its timeouts give way (90 s).
 */

/** Why a turn was not queued. */
export type QueueRefusal = "too many active conversations" | "conversation queue full";

/** The bounds of {@link ConversationQueues}. */
export interface ConversationQueueLimits {
  /** Most conversations with queued or running turns. */
  maxConversations: number;
  /** Most turns queued (or running) in one conversation. */
  maxQueued: number;
}

interface Lane {
  /** Settles when the last queued turn has ended. */
  tail: Promise<void>;
  /** Queued turns, the running one included. */
  size: number;
  /** Turns that passed the queue and are still running. */
  passing: Set<Promise<unknown>>;
}

const ignore = () => undefined;

/** Per-conversation turn queues with passing turns. */
export class ConversationQueues {
  readonly #lanes = new Map<string, Lane>();
  readonly #limits: ConversationQueueLimits;

  constructor(limits: ConversationQueueLimits) {
    this.#limits = limits;
  }

  /**
   * Runs `turn` once every earlier queued turn of `conversation` and every turn that passed the
   * queue there has ended; a refusal when a bound is reached.
   */
  enqueue<T>(conversation: string, turn: () => Promise<T>): Promise<T> | QueueRefusal {
    let lane = this.#lanes.get(conversation);
    if (lane === undefined) {
      if (this.#lanes.size >= this.#limits.maxConversations) return "too many active conversations";
      lane = this.#open(conversation);
    }
    if (lane.size >= this.#limits.maxQueued) return "conversation queue full";
    const current = lane;
    current.size++;
    const run = current.tail.then(() => passed(current)).then(turn);
    current.tail = run.then(ignore, ignore).finally(() => {
      current.size--;
      this.#close(conversation, current);
    });
    return run;
  }

  /** Runs `turn` now, ahead of the queue; turns queued in `conversation` wait for it to end. */
  pass<T>(conversation: string, turn: () => Promise<T>): Promise<T> {
    const lane = this.#lanes.get(conversation) ?? this.#open(conversation);
    const run = Promise.resolve().then(turn);
    lane.passing.add(run);
    run
      .finally(() => {
        lane.passing.delete(run);
        this.#close(conversation, lane);
      })
      .catch(ignore);
    return run;
  }

  /** Conversations with queued or passing turns (tests). */
  get size(): number {
    return this.#lanes.size;
  }

  #open(conversation: string): Lane {
    const lane: Lane = { tail: Promise.resolve(), size: 0, passing: new Set() };
    this.#lanes.set(conversation, lane);
    return lane;
  }

  #close(conversation: string, lane: Lane): void {
    if (lane.size === 0 && lane.passing.size === 0 && this.#lanes.get(conversation) === lane) {
      this.#lanes.delete(conversation);
    }
  }
}

/** Settles once no turn that passed the queue is running (one that passes meanwhile counts too). */
async function passed(lane: Lane): Promise<void> {
  while (lane.passing.size > 0) await Promise.allSettled([...lane.passing]);
}
