/**
 * The legacy OMEMO device list (XEP-0384 0.3 § 4.2), published on PEP node
 * `eu.siacs.conversations.axolotl.devicelist`, item `current`:
 * `<list xmlns='eu.siacs.conversations.axolotl'><device id='…'/>…</list>`.
 */
import type { Element } from "@clawxmpp/core";
import {
  buildDeviceListElement,
  type DeviceEntry,
  type DeviceListRoot,
  parseDeviceListElement,
} from "./device-list-element.js";
import { NS_OMEMO } from "./namespaces.js";
import { DEFAULT_WIRE_LIMITS, type WireLimits } from "./wire-limits.js";

export type { DeviceEntry } from "./device-list-element.js";

const LIST: DeviceListRoot = { name: "list", ns: NS_OMEMO };

/** Builds `<list/>` from device ids (duplicates dropped, order kept). */
export function buildDeviceList(devices: readonly (number | DeviceEntry)[]): Element {
  return buildDeviceListElement(LIST, devices, (entry: DeviceEntry) => ({
    id: entry.id,
    label: entry.label,
  }));
}

/** Parses `<list/>`; duplicates are collapsed, anything malformed or too large is refused. */
export function parseDeviceList(
  element: Element,
  limits: WireLimits = DEFAULT_WIRE_LIMITS,
): DeviceEntry[] {
  return parseDeviceListElement(LIST, element, limits, (_device, entry) => entry);
}
