/**
 * Owner use cases of XEP-0060 § 8: creating (§ 8.1, with a configuration
 * form, § 8.1.3), configuring (§ 8.2), deleting (§ 8.4) and purging (§ 8.5)
 * nodes, and managing a node's subscriptions (§ 8.8) and affiliations (§ 8.9).
 */
import { type Element, xml } from "@clawxmpp/core";
import { type FormFields, type FormValue, readForm, submitForm } from "./data-form.js";
import { FORM_NODE_CONFIG, NS_DATA, NS_PUBSUB, NS_PUBSUB_OWNER } from "./namespaces.js";
import { readAffiliations, readSubscriptions } from "./parse-items.js";
import { PubsubError } from "./pubsub-error.js";
import { checkNode, nodeRequest, pubsubRequest, type RequestDeps } from "./pubsub-request.js";
import type {
  Affiliation,
  AffiliationEntry,
  Subscription,
  SubscriptionState,
} from "./pubsub-types.js";

type Config = Readonly<Record<string, FormValue>>;

/** Creates `node` (an instant node with a service-chosen name when omitted); resolves with its name. */
export async function createNode(
  deps: RequestDeps,
  node: string | undefined,
  options: { service?: string | undefined; config?: Config | undefined } = {},
): Promise<string> {
  const { service } = options;
  if (node !== undefined) checkNode(node, service);
  const answer = await pubsubRequest(
    deps,
    "set",
    NS_PUBSUB,
    { service, node },
    xml("create", { node }),
    options.config && xml("configure", {}, submitForm(FORM_NODE_CONFIG, options.config)),
  );
  const name = answer?.getChild("create")?.attrs.node ?? node;
  if (name === undefined) {
    throw PubsubError.local("malformed", { service }, "instant node created without a name");
  }
  return name;
}

/** Reads `node`'s configuration form (§ 8.2.1) as field → values. */
export async function nodeConfiguration(
  deps: RequestDeps,
  node: string,
  service?: string,
): Promise<FormFields> {
  const query = xml("configure", { node });
  const answer = await nodeRequest(deps, "get", NS_PUBSUB_OWNER, node, service, query);
  const form = answer?.getChild("configure")?.getChild("x", NS_DATA);
  if (!form) throw PubsubError.local("malformed", { service, node }, "answer without a form");
  return readForm(form);
}

/** Submits `config` for `node` (§ 8.2.4); short names get the `pubsub#` prefix. */
export async function configureNode(
  deps: RequestDeps,
  node: string,
  config: Config,
  options: { service?: string | undefined } = {},
): Promise<void> {
  const configure = xml("configure", { node }, submitForm(FORM_NODE_CONFIG, config));
  await nodeRequest(deps, "set", NS_PUBSUB_OWNER, node, options.service, configure);
}

/** Deletes `node` (§ 8.4); subscribers may be pointed to `redirect`. */
export async function deleteNode(
  deps: RequestDeps,
  node: string,
  options: { service?: string | undefined; redirect?: string | undefined } = {},
): Promise<void> {
  const redirect = options.redirect && xml("redirect", { uri: options.redirect });
  const deletion = xml("delete", { node }, redirect);
  await nodeRequest(deps, "set", NS_PUBSUB_OWNER, node, options.service, deletion);
}

/** Removes every item of `node` (§ 8.5). */
export async function purgeNode(deps: RequestDeps, node: string, service?: string): Promise<void> {
  await nodeRequest(deps, "set", NS_PUBSUB_OWNER, node, service, xml("purge", { node }));
}

/** What an owner reads of a node, per list (§ 8.8.1, § 8.9.1). */
interface OwnerEntries {
  subscriptions: Subscription;
  affiliations: AffiliationEntry;
}

/** What an owner submits to change a node's list (§ 8.8.2, § 8.9.2). */
interface OwnerChanges {
  subscriptions: { jid: string; subscription: SubscriptionState; subid?: string };
  affiliations: { jid: string; affiliation: Affiliation };
}

/** The readers of each owner list. */
const READERS: {
  [K in keyof OwnerEntries]: (list: Element | undefined, limit: number) => OwnerEntries[K][];
} = { subscriptions: readSubscriptions, affiliations: readAffiliations };

/** Lists every subscription to `node` (§ 8.8.1) or every affiliation with it (§ 8.9.1). */
export async function ownerList<K extends keyof OwnerEntries>(
  deps: RequestDeps,
  kind: K,
  limit: number,
  node: string,
  service?: string,
): Promise<OwnerEntries[K][]> {
  const answer = await nodeRequest(
    deps,
    "get",
    NS_PUBSUB_OWNER,
    node,
    service,
    xml(kind, { node }),
  );
  return READERS[kind](answer?.getChild(kind), limit).map((entry) => ({ ...entry, node }));
}

/**
 * Changes subscriptions to `node` (§ 8.8.2, e.g. `{ jid, subscription: "none" }` removes one)
 * or affiliations with it (§ 8.9.2, e.g. `{ jid, affiliation: "publisher" }`).
 */
export async function ownerSet<K extends keyof OwnerChanges>(
  deps: RequestDeps,
  kind: K,
  node: string,
  changes: readonly OwnerChanges[K][],
  service?: string,
): Promise<void> {
  const entry = kind === "subscriptions" ? "subscription" : "affiliation";
  const list = xml(kind, { node }, ...changes.map((attrs) => xml(entry, attrs)));
  await nodeRequest(deps, "set", NS_PUBSUB_OWNER, node, service, list);
}
