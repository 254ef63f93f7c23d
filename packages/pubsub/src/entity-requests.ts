/**
 * Entity use cases of XEP-0060 § 6 and § 5.6–5.7: retrieving items,
 * subscribing and unsubscribing, and listing our own subscriptions and
 * affiliations at a service.
 */
import { xml } from "@clawxmpp/core";
import { NS_PUBSUB } from "./namespaces.js";
import {
  type ItemLimits,
  readAffiliations,
  readItems,
  readSubscription,
  readSubscriptions,
} from "./parse-items.js";
import { PubsubError } from "./pubsub-error.js";
import { checkNode, nodeRequest, pubsubRequest, type RequestDeps } from "./pubsub-request.js";
import type { AffiliationEntry, ItemsOptions, PubsubItem, Subscription } from "./pubsub-types.js";

/** Retrieves items (§ 6.5): all, the `max` most recent, or the given ids. */
export async function getItems(
  deps: RequestDeps,
  limits: ItemLimits,
  node: string,
  options: ItemsOptions = {},
): Promise<PubsubItem[]> {
  const { service } = options;
  checkNode(node, service);
  if (options.max !== undefined && (!Number.isInteger(options.max) || options.max < 1)) {
    throw PubsubError.local("invalid", { service, node }, "max must be a positive integer");
  }
  const ids = options.ids ?? [];
  const answer = await pubsubRequest(
    deps,
    "get",
    NS_PUBSUB,
    { service, node },
    xml(
      "items",
      { node, max_items: ids.length === 0 ? options.max : undefined },
      ...ids.map((id) => xml("item", { id })),
    ),
  );
  const items = answer?.getChild("items");
  if (!items) throw PubsubError.local("malformed", { service, node }, "answer without <items/>");
  return readItems(items, limits).items;
}

/** Subscribes `jid` (our bare JID when omitted) to `node` at `service` (§ 6.1). */
export async function subscribe(
  deps: RequestDeps,
  service: string | undefined,
  node: string,
  jid: string,
): Promise<Subscription> {
  const request = xml("subscribe", { node, jid });
  const answer = await nodeRequest(deps, "set", NS_PUBSUB, node, service, request);
  // § 6.1.2: the service may answer with an empty result; that means subscribed.
  return (
    readSubscription(answer?.getChild("subscription")) ?? {
      node,
      jid,
      subscription: "subscribed",
      subid: undefined,
    }
  );
}

/** Unsubscribes `jid` from `node` (§ 6.2); `subid` picks one of several subscriptions. */
export async function unsubscribe(
  deps: RequestDeps,
  service: string | undefined,
  node: string,
  jid: string,
  subid?: string,
): Promise<void> {
  await nodeRequest(
    deps,
    "set",
    NS_PUBSUB,
    node,
    service,
    xml("unsubscribe", { node, jid, subid }),
  );
}

/** Reads our `<subscriptions/>` or `<affiliations/>` at a service (§ 5.6, § 5.7). */
async function entityList(
  deps: RequestDeps,
  kind: string,
  service: string | undefined,
  node: string | undefined,
) {
  const answer = await pubsubRequest(
    deps,
    "get",
    NS_PUBSUB,
    { service, node },
    xml(kind, { node }),
  );
  return answer?.getChild(kind);
}

/** Our subscriptions at `service` (§ 5.6), optionally for one node. */
export async function ownSubscriptions(
  deps: RequestDeps,
  limit: number,
  service: string | undefined,
  node?: string,
): Promise<Subscription[]> {
  return readSubscriptions(await entityList(deps, "subscriptions", service, node), limit);
}

/** Our affiliations at `service` (§ 5.7), optionally for one node. */
export async function ownAffiliations(
  deps: RequestDeps,
  limit: number,
  service: string | undefined,
  node?: string,
): Promise<AffiliationEntry[]> {
  return readAffiliations(await entityList(deps, "affiliations", service, node), limit);
}
