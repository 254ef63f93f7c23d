/**
 * Reads `<item/>` lists (XEP-0060 § 6.5.2 answers and § 7.1.2 events),
 * `<subscription/>` (§ 5.6, § 8.8.1) and `<affiliation/>` (§ 5.7, § 8.9.1)
 * elements into typed values, skipping anything malformed or oversized.
 */
import type { Element } from "@clawxmpp/core";
import { exceedsSize } from "./element-size.js";
import type {
  Affiliation,
  AffiliationEntry,
  PubsubItem,
  Subscription,
  SubscriptionState,
} from "./pubsub-types.js";

const SUBSCRIPTION_STATES = new Set<string>(["none", "pending", "subscribed", "unconfigured"]);
const AFFILIATIONS = new Set<string>([
  "owner",
  "publisher",
  "publish-only",
  "member",
  "none",
  "outcast",
]);

/** Limits applied while reading items. */
export interface ItemLimits {
  maxItems: number;
  maxItemSize: number;
}

/** Reads the `<item/>` children of `items`; returns them and how many were skipped. */
export function readItems(
  items: Element | undefined,
  limits: ItemLimits,
): { items: PubsubItem[]; skipped: number } {
  const result: PubsubItem[] = [];
  let skipped = 0;
  for (const item of items?.getChildren("item") ?? []) {
    if (result.length >= limits.maxItems || exceedsSize(item, limits.maxItemSize)) {
      skipped++;
      continue;
    }
    result.push({
      id: item.attrs.id,
      payload: item.getChildElements()[0],
      publisher: item.attrs.publisher,
    });
  }
  return { items: result, skipped };
}

/** Reads `<subscription/>` elements; entries without a JID or with an unknown state are skipped. */
export function readSubscriptions(parent: Element | undefined, limit: number): Subscription[] {
  const result: Subscription[] = [];
  for (const sub of parent?.getChildren("subscription") ?? []) {
    if (result.length >= limit) break;
    const parsed = readSubscription(sub);
    if (parsed) result.push(parsed);
  }
  return result;
}

/** Reads one `<subscription/>`, or undefined when unusable. */
export function readSubscription(sub: Element | undefined): Subscription | undefined {
  const state = sub?.attrs.subscription ?? "none";
  if (!sub?.attrs.jid || !SUBSCRIPTION_STATES.has(state)) return undefined;
  return {
    node: sub.attrs.node,
    jid: sub.attrs.jid,
    subscription: state as SubscriptionState,
    subid: sub.attrs.subid,
  };
}

/** Reads `<affiliation/>` elements; unknown affiliations are skipped. */
export function readAffiliations(parent: Element | undefined, limit: number): AffiliationEntry[] {
  const result: AffiliationEntry[] = [];
  for (const aff of parent?.getChildren("affiliation") ?? []) {
    if (result.length >= limit) break;
    const value = aff.attrs.affiliation;
    if (!value || !AFFILIATIONS.has(value)) continue;
    result.push({ node: aff.attrs.node, jid: aff.attrs.jid, affiliation: value as Affiliation });
  }
  return result;
}
