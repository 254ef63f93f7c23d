/** Namespaces and PEP nodes of OMEMO 2 (XEP-0384 0.8 § 5.3, § 8). */

/** The OMEMO 2 namespace: `<encrypted>`, `<devices>`, `<bundle>`. */
export const NS_OMEMO2 = "urn:xmpp:omemo:2";
/** PEP node holding the device list (item `current`). */
export const NODE_DEVICES_V2 = "urn:xmpp:omemo:2:devices";
/** PEP node holding every bundle, one item per device id (`pubsub#max_items` = `max`). */
export const NODE_BUNDLES_V2 = "urn:xmpp:omemo:2:bundles";
