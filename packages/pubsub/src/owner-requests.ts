/**
 * Owner use cases of XEP-0060 § 8: creating (§ 8.1, with a configuration
 * form, § 8.1.3), configuring (§ 8.2), deleting (§ 8.4) and purging (§ 8.5)
 * nodes, and managing a node's subscriptions (§ 8.8) and affiliations (§ 8.9).
 */
import { xml } from "@clawxmpp/core";
import { type FormFields, type FormValue, readForm, submitForm } from "./data-form.js";
import { FORM_NODE_CONFIG, NS_DATA, NS_PUBSUB, NS_PUBSUB_OWNER } from "./namespaces.js";
import { readAffiliations, readSubscriptions } from "./parse-items.js";
import { PubsubError } from "./pubsub-error.js";
import { checkNode, pubsubRequest, type RequestDeps } from "./pubsub-request.js";
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
  checkNode(node, service);
  const answer = await pubsubRequest(
    deps,
    "get",
    NS_PUBSUB_OWNER,
    { service, node },
    xml("configure", { node }),
  );
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
  checkNode(node, options.service);
  await pubsubRequest(
    deps,
    "set",
    NS_PUBSUB_OWNER,
    { service: options.service, node },
    xml("configure", { node }, submitForm(FORM_NODE_CONFIG, config)),
  );
}

/** Deletes `node` (§ 8.4); subscribers may be pointed to `redirect`. */
export async function deleteNode(
  deps: RequestDeps,
  node: string,
  options: { service?: string | undefined; redirect?: string | undefined } = {},
): Promise<void> {
  checkNode(node, options.service);
  await pubsubRequest(
    deps,
    "set",
    NS_PUBSUB_OWNER,
    { service: options.service, node },
    xml("delete", { node }, options.redirect && xml("redirect", { uri: options.redirect })),
  );
}

/** Removes every item of `node` (§ 8.5). */
export async function purgeNode(deps: RequestDeps, node: string, service?: string): Promise<void> {
  checkNode(node, service);
  await pubsubRequest(deps, "set", NS_PUBSUB_OWNER, { service, node }, xml("purge", { node }));
}

/** Reads a node's `<subscriptions/>` or `<affiliations/>` as owner (§ 8.8.1, § 8.9.1). */
async function ownerList(deps: RequestDeps, kind: string, node: string, service?: string) {
  checkNode(node, service);
  const answer = await pubsubRequest(
    deps,
    "get",
    NS_PUBSUB_OWNER,
    { service, node },
    xml(kind, { node }),
  );
  return answer?.getChild(kind);
}

/** Submits changed `<subscription/>`s or `<affiliation/>`s as owner (§ 8.8.2, § 8.9.2). */
async function ownerSet(
  deps: RequestDeps,
  kind: string,
  node: string,
  entries: readonly Record<string, string | undefined>[],
  service?: string,
): Promise<void> {
  checkNode(node, service);
  const entry = kind === "subscriptions" ? "subscription" : "affiliation";
  await pubsubRequest(
    deps,
    "set",
    NS_PUBSUB_OWNER,
    { service, node },
    xml(kind, { node }, ...entries.map((attrs) => xml(entry, attrs))),
  );
}

/** Lists every subscription to `node` (§ 8.8.1). */
export async function nodeSubscriptions(
  deps: RequestDeps,
  limit: number,
  node: string,
  service?: string,
): Promise<Subscription[]> {
  const list = await ownerList(deps, "subscriptions", node, service);
  return readSubscriptions(list, limit).map((s) => ({ ...s, node }));
}

/** Changes subscriptions to `node` (§ 8.8.2), e.g. `{ jid, subscription: "none" }` to remove one. */
export function setNodeSubscriptions(
  deps: RequestDeps,
  node: string,
  changes: readonly { jid: string; subscription: SubscriptionState; subid?: string }[],
  service?: string,
): Promise<void> {
  return ownerSet(deps, "subscriptions", node, changes, service);
}

/** Lists every affiliation with `node` (§ 8.9.1). */
export async function nodeAffiliations(
  deps: RequestDeps,
  limit: number,
  node: string,
  service?: string,
): Promise<AffiliationEntry[]> {
  const list = await ownerList(deps, "affiliations", node, service);
  return readAffiliations(list, limit).map((a) => ({ ...a, node }));
}

/** Changes affiliations with `node` (§ 8.9.2), e.g. `{ jid, affiliation: "publisher" }`. */
export function setNodeAffiliations(
  deps: RequestDeps,
  node: string,
  changes: readonly { jid: string; affiliation: Affiliation }[],
  service?: string,
): Promise<void> {
  return ownerSet(deps, "affiliations", node, changes, service);
}
