/**
 * The pubsub services whose events we accept (XEP-0060 § 7.1.2: a service
 * notifies its subscribers): those configured, plus those we subscribed to
 * in this process. Bounded, so a long-running bot cannot grow it forever.
 */
const MAX_ENTRIES = 10_000;

export class SubscribedServices {
  readonly #configured: ReadonlySet<string>;
  readonly #nodes = new Map<string, Set<string>>();
  #count = 0;

  constructor(configured: readonly string[]) {
    this.#configured = new Set(configured);
  }

  has(service: string): boolean {
    return this.#configured.has(service) || this.#nodes.has(service);
  }

  add(service: string, node: string): void {
    const nodes = this.#nodes.get(service) ?? new Set<string>();
    if (nodes.has(node) || this.#count >= MAX_ENTRIES) return;
    nodes.add(node);
    this.#nodes.set(service, nodes);
    this.#count++;
  }

  remove(service: string, node: string): void {
    const nodes = this.#nodes.get(service);
    if (!nodes?.delete(node)) return;
    this.#count--;
    if (nodes.size === 0) this.#nodes.delete(service);
  }
}
