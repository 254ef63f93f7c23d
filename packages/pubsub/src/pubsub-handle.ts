/**
 * The public surface of the `pubsub` plugin (XEP-0060 and XEP-0163): the
 * one place PEP is spoken; other plugins (OMEMO, avatars) use this handle.
 */
import type { Disposer, Element, Events, PluginHandle } from "@clawxmpp/core";
import type { FormFields, FormValue } from "./data-form.js";
import type { NodeListener } from "./event-router.js";
import type {
  Affiliation,
  AffiliationEntry,
  ItemsOptions,
  PublishOptions,
  PubsubEvents,
  PubsubItem,
  Subscription,
  SubscriptionState,
  Target,
} from "./pubsub-types.js";

/** The handle returned by `client.use(pubsub, options)`. Every failure is a `PubsubError`. */
export interface PubsubHandle extends PluginHandle, Events<PubsubEvents> {
  /** Publishes `payload` as an item of `node` (§ 7.1), with publish options and the precondition retry. */
  publish(
    node: string,
    payload?: Element,
    options?: PublishOptions,
  ): Promise<{ id: string | undefined }>;
  /** Retracts item `id` (§ 7.2); subscribers are notified unless `notify` is false. */
  retract(node: string, id: string, options?: Target & { notify?: boolean }): Promise<void>;
  /** Retrieves items (§ 6.5): all, the `max` most recent, or by `ids`. A contact's PEP: `service` = their bare JID. */
  items(node: string, options?: ItemsOptions): Promise<PubsubItem[]>;
  /** Subscribes us (or `jid`) to `node` at `service` (§ 6.1); its events are accepted from then on. */
  subscribe(service: string, node: string, options?: { jid?: string }): Promise<Subscription>;
  /** Unsubscribes (§ 6.2). */
  unsubscribe(
    service: string,
    node: string,
    options?: { jid?: string; subid?: string },
  ): Promise<void>;
  /** Our subscriptions at a service (§ 5.6). */
  subscriptions(options?: Target & { node?: string }): Promise<Subscription[]>;
  /** Our affiliations at a service (§ 5.7). */
  affiliations(options?: Target & { node?: string }): Promise<AffiliationEntry[]>;
  /** Creates a node (§ 8.1), optionally configured; `undefined` asks for an instant node. Resolves with its name. */
  createNode(
    node: string | undefined,
    options?: Target & { config?: Readonly<Record<string, FormValue>> },
  ): Promise<string>;
  /** Reads a node's configuration (§ 8.2.1). */
  configuration(node: string, options?: Target): Promise<FormFields>;
  /** Configures a node (§ 8.2.4), e.g. `{ access_model: "open", max_items: 1 }`. */
  configure(
    node: string,
    config: Readonly<Record<string, FormValue>>,
    options?: Target,
  ): Promise<void>;
  /** Deletes a node (§ 8.4). */
  deleteNode(node: string, options?: Target & { redirect?: string }): Promise<void>;
  /** Purges every item of a node (§ 8.5). */
  purge(node: string, options?: Target): Promise<void>;
  /** Owner: every subscription to a node (§ 8.8.1). */
  nodeSubscriptions(node: string, options?: Target): Promise<Subscription[]>;
  /** Owner: changes subscriptions (§ 8.8.2). */
  setNodeSubscriptions(
    node: string,
    changes: readonly { jid: string; subscription: SubscriptionState; subid?: string }[],
    options?: Target,
  ): Promise<void>;
  /** Owner: every affiliation with a node (§ 8.9.1). */
  nodeAffiliations(node: string, options?: Target): Promise<AffiliationEntry[]>;
  /** Owner: changes affiliations (§ 8.9.2). */
  setNodeAffiliations(
    node: string,
    changes: readonly { jid: string; affiliation: Affiliation }[],
    options?: Target,
  ): Promise<void>;
  /**
   * Advertises `node+notify` in our caps (XEP-0163 § 4.3.1) so PEP notifications for `node` arrive,
   * until the disposer runs (or the plugin stops). Registrations are counted.
   */
  notify(node: string): Disposer;
  /** Listens to every event about `node` (any service) until the disposer runs. */
  onNode(node: string, listener: NodeListener): Disposer;
}
