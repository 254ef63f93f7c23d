/**
 * Namespaces of XEP-0060 (publish-subscribe, §§ 5–8 and the event
 * namespace of § 7.1.2) and XEP-0004 data forms, used across the package.
 */

/** Entity use cases (§ 5–7). */
export const NS_PUBSUB = "http://jabber.org/protocol/pubsub";
/** Event notifications (§ 7.1.2). */
export const NS_PUBSUB_EVENT = "http://jabber.org/protocol/pubsub#event";
/** Owner use cases (§ 8). */
export const NS_PUBSUB_OWNER = "http://jabber.org/protocol/pubsub#owner";
/** Application-specific error conditions (§ 14.2). */
export const NS_PUBSUB_ERRORS = "http://jabber.org/protocol/pubsub#errors";
/** FORM_TYPE of publish options (§ 7.1.5). */
export const FORM_PUBLISH_OPTIONS = "http://jabber.org/protocol/pubsub#publish-options";
/** FORM_TYPE of node configuration (§ 8.2). */
export const FORM_NODE_CONFIG = "http://jabber.org/protocol/pubsub#node_config";
/** XEP-0004 data forms. */
export const NS_DATA = "jabber:x:data";
