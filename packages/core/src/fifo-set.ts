/**
 * A set of strings that forgets the oldest beyond a fixed size, in O(1) per insert.
 * A `Set` evicted through `values().next()` is not: V8 leaves deleted entries as holes that
 * every new iterator skips until the table is rebuilt, so at a 10,000-entry cap each insert
 * cost ~10 µs and the inbound guard, which remembers two or three ids per message, became the
 * costliest step of a busy client's receive path. A ring of the keys in insertion order
 * names the one to forget without iterating.
 */
export class FifoSet {
  readonly #items = new Set<string>();
  readonly #ring: (string | undefined)[];
  #next = 0;

  constructor(max: number) {
    this.#ring = new Array<string | undefined>(Math.max(1, max));
  }

  get size(): number {
    return this.#items.size;
  }

  has(item: string): boolean {
    return this.#items.has(item);
  }

  /** Remembers `item` (no-op when known), forgetting the oldest when full. */
  add(item: string): void {
    if (this.#items.has(item)) return;
    const evicted = this.#ring[this.#next];
    if (evicted !== undefined) this.#items.delete(evicted);
    this.#ring[this.#next] = item;
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#items.add(item);
  }
}
