/**
 * Where OMEMO 2 keeps device lists and bundles (XEP-0384 0.8 § 5.3), for the
 * shared `DeviceDirectory`: the list is item `current` of
 * `urn:xmpp:omemo:2:devices`, a bundle the item named by its device id on
 * `urn:xmpp:omemo:2:bundles`.
 */
import type { DirectoryProtocol } from "../device-directory.js";
import { parseBundle2 } from "./bundle-element.js";
import { parseDeviceList2 } from "./device-list.js";
import { NODE_BUNDLES_V2, NODE_DEVICES_V2 } from "./namespaces.js";
import type { Bundle2 } from "./x3dh.js";

/** OMEMO 2's nodes. */
export const OMEMO2_PROTOCOL: DirectoryProtocol<Bundle2> = {
  listNode: NODE_DEVICES_V2,
  parseList: (element) => parseDeviceList2(element).map((d) => d.id),
  bundleItem: (deviceId) => ({ node: NODE_BUNDLES_V2, id: String(deviceId) }),
  parseBundle: (element) => parseBundle2(element),
};
