/**
 * Per-conversation ordering of inbound stanzas. Each conversation (a peer's
 * bare JID, a room, the archive) is a lane processed in arrival order; lanes
 * run independently, so a slow or flooding conversation never holds up the
 * others. Synchronous processing runs at once, without a promise; a lane
 * waits only when a handler is really async. Memory is bounded per lane and
 * in total; what overflows is dropped and reported.
 */

interface Lane<T> {
  items: (T | undefined)[];
  head: number;
  running: boolean;
  idle: (() => void)[];
}

/** Options of {@link InboundLanes}. */
export interface InboundLanesOptions<T> {
  /** Processes one item; may return a promise (the lane waits for it). */
  process(item: T): void | Promise<void>;
  /** A processing failure (the lane goes on with the next item). */
  onError(error: unknown, key: string): void;
  /** An item dropped because its lane or all lanes were full. */
  onOverflow(key: string, item: T): void;
  /** Most items waiting in one lane. */
  maxPerLane: number;
  /** Most items waiting in all lanes together. */
  maxTotal: number;
}

export class InboundLanes<T> {
  readonly #lanes = new Map<string, Lane<T>>();
  readonly #options: InboundLanesOptions<T>;
  #waiting = 0;

  constructor(options: InboundLanesOptions<T>) {
    this.#options = options;
  }

  /** Conversations with work pending. */
  get size(): number {
    return this.#lanes.size;
  }

  /** Items waiting in every lane. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Adds `item` to lane `key`; processes it at once when the lane is idle. False when dropped. */
  push(key: string, item: T): boolean {
    let lane = this.#lanes.get(key);
    if (lane === undefined) {
      lane = { items: [], head: 0, running: false, idle: [] };
      this.#lanes.set(key, lane);
    }
    const options = this.#options;
    if (lane.items.length - lane.head >= options.maxPerLane || this.#waiting >= options.maxTotal) {
      if (!lane.running && lane.items.length === lane.head) this.#lanes.delete(key);
      options.onOverflow(key, item);
      return false;
    }
    lane.items.push(item);
    this.#waiting++;
    if (!lane.running) this.#run(key, lane);
    return true;
  }

  /** Resolves once lane `key` has nothing left to do. */
  idle(key: string): Promise<void> {
    const lane = this.#lanes.get(key);
    if (lane === undefined) return Promise.resolve();
    return new Promise((resolve) => lane.idle.push(resolve));
  }

  #run(key: string, lane: Lane<T>): void {
    lane.running = true;
    while (lane.head < lane.items.length) {
      const item = lane.items[lane.head] as T;
      lane.items[lane.head] = undefined;
      lane.head++;
      this.#waiting--;
      let result: void | Promise<void>;
      try {
        result = this.#options.process(item);
      } catch (error) {
        this.#options.onError(error, key);
        continue;
      }
      if (result instanceof Promise) {
        result.then(
          () => this.#run(key, lane),
          (error: unknown) => {
            this.#options.onError(error, key);
            this.#run(key, lane);
          },
        );
        return;
      }
    }
    lane.running = false;
    lane.items = [];
    lane.head = 0;
    if (this.#lanes.get(key) === lane) this.#lanes.delete(key);
    for (const resolve of lane.idle.splice(0)) resolve();
  }
}
