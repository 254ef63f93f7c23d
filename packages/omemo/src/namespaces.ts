/** Namespaces and PEP nodes of legacy OMEMO (XEP-0384 0.3, `eu.siacs.conversations.axolotl`). */

/** The legacy OMEMO namespace, used by `<encrypted>`, `<list>` and `<bundle>`. */
export const NS_OMEMO = "eu.siacs.conversations.axolotl";
/** PEP node holding the device list (item `current`). */
export const NODE_DEVICE_LIST = `${NS_OMEMO}.devicelist`;
/** PEP node prefix of a device's bundle: `${NODE_BUNDLES_PREFIX}:<deviceId>`. */
export const NODE_BUNDLES_PREFIX = `${NS_OMEMO}.bundles`;
/** XEP-0334 message processing hints (`<store/>` keeps body-less key transports in MAM). */
export const NS_HINTS = "urn:xmpp:hints";
/** XEP-0380 explicit message encryption. */
export const NS_EME = "urn:xmpp:eme:0";

/** The PEP node of one device's bundle. */
export function bundleNode(deviceId: number): string {
  return `${NODE_BUNDLES_PREFIX}:${deviceId}`;
}
