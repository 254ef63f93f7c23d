/**
 * `@clawxmpp/pubsub`: XEP-0060 publish-subscribe and XEP-0163 PEP, the one
 * place PEP is spoken.
 */

export type { FormFields, FormValue } from "./data-form.js";
export type { NodeListener } from "./event-router.js";
export {
  FORM_NODE_CONFIG,
  FORM_PUBLISH_OPTIONS,
  NS_PUBSUB,
  NS_PUBSUB_ERRORS,
  NS_PUBSUB_EVENT,
  NS_PUBSUB_OWNER,
} from "./namespaces.js";
export { PubsubError, type PubsubErrorCode, type PubsubErrorTarget } from "./pubsub-error.js";
export type { PubsubHandle } from "./pubsub-handle.js";
export {
  type PubsubOptions,
  type PubsubOptionsInput,
  pubsubOptionsSchema,
} from "./pubsub-options.js";
export { pubsub } from "./pubsub-plugin.js";
export type {
  Affiliation,
  AffiliationEntry,
  ItemsOptions,
  PublishOptions,
  PubsubDeleteEvent,
  PubsubEvent,
  PubsubEventBase,
  PubsubEvents,
  PubsubItem,
  PubsubItemEvent,
  PubsubPurgeEvent,
  PubsubRetractEvent,
  Subscription,
  SubscriptionState,
  Target,
} from "./pubsub-types.js";
