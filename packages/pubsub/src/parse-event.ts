/**
 * Reads an event notification (XEP-0060 § 7.1.2 items, § 7.2.2 retractions,
 * § 8.4.2 delete, § 8.5.2 purge) from a message whose sender was already
 * checked. Malformed events are reported, never thrown; item counts and
 * payload sizes are bounded.
 */
import { type Element, parseDelay } from "@clawxmpp/core";
import { exceedsSize } from "./element-size.js";
import type { PubsubEvent, PubsubEventBase } from "./pubsub-types.js";

/** Bounds applied to one notification. */
export interface EventLimits {
  maxItems: number;
  maxItemSize: number;
}

/** The events read, and why anything was left out. */
export interface ParsedEvent {
  events: PubsubEvent[];
  problems: string[];
}

/** Reads the `<event/>` element `event` sent by `source`. */
export function parseEvent(
  stanza: Element,
  event: Element,
  source: { service: string; pep: boolean },
  limits: EventLimits,
): ParsedEvent {
  const events: PubsubEvent[] = [];
  const problems: string[] = [];
  const delay = parseDelay(stanza)?.stamp;
  for (const child of event.getChildElements()) {
    const node = child.attrs.node;
    if (!node || node.length > 1_024) {
      problems.push(`<${child.name}/> without a valid node`);
      continue;
    }
    const base: PubsubEventBase = { service: source.service, node, pep: source.pep, stanza };
    if (child.name === "delete") {
      events.push({ ...base, type: "delete", redirect: child.getChild("redirect")?.attrs.uri });
    } else if (child.name === "purge") {
      events.push({ ...base, type: "purge" });
    } else if (child.name === "items") {
      let count = 0;
      for (const entry of child.getChildElements()) {
        if (entry.name !== "item" && entry.name !== "retract") continue;
        if (++count > limits.maxItems) {
          problems.push(`more than ${limits.maxItems} items in one event`);
          break;
        }
        if (entry.name === "retract") {
          if (entry.attrs.id) events.push({ ...base, type: "retract", id: entry.attrs.id });
          else problems.push("<retract/> without an id");
        } else if (exceedsSize(entry, limits.maxItemSize)) {
          problems.push(`item ${entry.attrs.id ?? "(no id)"} larger than ${limits.maxItemSize}`);
        } else {
          events.push({
            ...base,
            type: "item",
            id: entry.attrs.id,
            payload: entry.getChildElements()[0],
            publisher: entry.attrs.publisher,
            delay,
          });
        }
      }
    }
    // <configuration/>, <subscription/> and unknown children carry nothing we route.
  }
  return { events, problems };
}
