/**
 * Routes event notifications to typed listeners: all events of a type
 * (`handle.on("item", …)`) and everything about one node
 * (`handle.onNode(node, …)`, a disposer a dependent plugin keeps for its
 * lifetime). A throwing listener is logged and never stops the others.
 */
import { type Disposer, Emitter, type Logger } from "@clawxmpp/core";
import type { PubsubEvent, PubsubEvents } from "./pubsub-types.js";

/** A listener for one node's events. */
export type NodeListener = (event: PubsubEvent) => void;

export class EventRouter {
  readonly events: Emitter<PubsubEvents>;
  readonly #byNode = new Map<string, Set<NodeListener>>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
    this.events = new Emitter<PubsubEvents>((error, event) =>
      log.error(`pubsub listener for "${event}" threw`, { error }),
    );
  }

  /** Adds a listener for every event about `node`. */
  onNode(node: string, listener: NodeListener): Disposer {
    let set = this.#byNode.get(node);
    if (!set) {
      set = new Set();
      this.#byNode.set(node, set);
    }
    set.add(listener);
    return () => {
      const current = this.#byNode.get(node);
      current?.delete(listener);
      if (current?.size === 0) this.#byNode.delete(node);
    };
  }

  dispatch(event: PubsubEvent): void {
    for (const listener of [...(this.#byNode.get(event.node) ?? [])]) {
      try {
        listener(event);
      } catch (error) {
        this.#log.error("pubsub node listener threw", { node: event.node, error });
      }
    }
    switch (event.type) {
      case "item":
        this.events.emit("item", event);
        break;
      case "retract":
        this.events.emit("retract", event);
        break;
      case "delete":
        this.events.emit("delete", event);
        break;
      case "purge":
        this.events.emit("purge", event);
        break;
    }
  }

  clear(): void {
    this.#byNode.clear();
    this.events.clear();
  }
}
