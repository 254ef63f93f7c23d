/**
 * A set that forgets its oldest entries beyond a cap: ids we sent, kept only
 * long enough to recognise the room's reflection (XEP-0045 §7.4).
 */
export class BoundedSet {
  readonly #max: number;
  readonly #items = new Set<string>();

  constructor(max: number) {
    this.#max = max;
  }

  add(item: string): void {
    this.#items.delete(item);
    this.#items.add(item);
    while (this.#items.size > this.#max) {
      const oldest = this.#items.values().next().value;
      if (oldest === undefined) break;
      this.#items.delete(oldest);
    }
  }

  has(item: string | undefined): boolean {
    return item !== undefined && this.#items.has(item);
  }

  get size(): number {
    return this.#items.size;
  }
}
