/**
 * The typed shapes of XEP-0060: items, subscriptions, affiliations and the
 * event notifications of § 7.1.2 (item), § 7.2.2 (retract), § 8.4 (delete)
 * and § 8.5 (purge).
 */
import type { Element, EventMap } from "@clawxmpp/core";
import type { FormValue } from "./data-form.js";

/** Where a request goes: a pubsub service JID, or our own PEP service when omitted. */
export interface Target {
  /** Pubsub service (e.g. `pubsub.example.org`) or an account's bare JID for its PEP. @default our own PEP */
  service?: string;
}

/** A published item. */
export interface PubsubItem {
  /** Item id (the server assigns one when the publisher did not). */
  id: string | undefined;
  /** The payload: the item's first child element. */
  payload: Element | undefined;
  /** The publisher's JID, when the service tells (XEP-0060 § 7.1.2.3). */
  publisher: string | undefined;
}

/** Options of {@link PubsubHandle.publish}. */
export interface PublishOptions extends Target {
  /** Item id; the service assigns one when omitted (PEP singletons use `current`). */
  id?: string;
  /**
   * Publish options (§ 7.1.5), e.g. `{ access_model: "open" }`; short names get the `pubsub#` prefix.
   * When the node's configuration differs (`precondition-not-met`), the node is configured with these
   * values and the publish retried once.
   */
  options?: Readonly<Record<string, FormValue>>;
  /** Configure-and-retry on `precondition-not-met`. @default true */
  reconfigure?: boolean;
}

/** Options of {@link PubsubHandle.items}. */
export interface ItemsOptions extends Target {
  /** Only these item ids (§ 6.5.8). */
  ids?: readonly string[];
  /** At most this many of the most recent items (§ 6.5.7). */
  max?: number;
}

/** Subscription states (§ 4.2). */
export type SubscriptionState = "none" | "pending" | "subscribed" | "unconfigured";

/** A subscription as the service reports it. */
export interface Subscription {
  node: string | undefined;
  jid: string;
  subscription: SubscriptionState;
  subid: string | undefined;
}

/** Affiliations (§ 4.1). */
export type Affiliation = "owner" | "publisher" | "publish-only" | "member" | "none" | "outcast";

/** An affiliation as the service reports it. */
export interface AffiliationEntry {
  node: string | undefined;
  /** The affiliated JID (owner use case), or our own (entity use case: undefined). */
  jid: string | undefined;
  affiliation: Affiliation;
}

/** What every event carries. */
export interface PubsubEventBase {
  /** The service: the publishing account's bare JID for PEP, else the service JID. */
  service: string;
  node: string;
  /** True for PEP (the service is an account). */
  pep: boolean;
  /** The message that carried the event. */
  stanza: Element;
}

/** An item was published (§ 7.1.2). */
export interface PubsubItemEvent extends PubsubEventBase {
  type: "item";
  id: string | undefined;
  payload: Element | undefined;
  publisher: string | undefined;
  /** XEP-0203 delay: the item was published earlier (e.g. last item sent on login). */
  delay: Date | undefined;
}

/** An item was retracted (§ 7.2.2). */
export interface PubsubRetractEvent extends PubsubEventBase {
  type: "retract";
  id: string;
}

/** The node was deleted (§ 8.4.2). */
export interface PubsubDeleteEvent extends PubsubEventBase {
  type: "delete";
  /** Replacement node URI, when the owner gave one. */
  redirect: string | undefined;
}

/** Every item of the node was purged (§ 8.5.2). */
export interface PubsubPurgeEvent extends PubsubEventBase {
  type: "purge";
}

/** Any event notification. */
export type PubsubEvent =
  | PubsubItemEvent
  | PubsubRetractEvent
  | PubsubDeleteEvent
  | PubsubPurgeEvent;

/** Events of the `pubsub` handle. */
export interface PubsubEvents extends EventMap {
  item: [PubsubItemEvent];
  retract: [PubsubRetractEvent];
  delete: [PubsubDeleteEvent];
  purge: [PubsubPurgeEvent];
}
