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
  readonly #max: number;
  /** Keys in insertion order, grown on use (a client that never fills it never pays for it). */
  readonly #ring: string[] = [];
  #next = 0;

  constructor(max: number) {
    this.#max = Math.max(1, max);
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
    if (this.#ring.length < this.#max) {
      this.#ring.push(item);
    } else {
      this.#items.delete(this.#ring[this.#next] as string);
      this.#ring[this.#next] = item;
      this.#next = (this.#next + 1) % this.#max;
    }
    this.#items.add(item);
  }
}
