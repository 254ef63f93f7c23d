/**
 * The legacy OMEMO device list (XEP-0384 0.3 § 4.2), published on PEP node
 * `eu.siacs.conversations.axolotl.devicelist`, item `current`:
 * `<list xmlns='eu.siacs.conversations.axolotl'><device id='…'/>…</list>`.
 */
import { type Element, xml } from "@clawxmpp/core";
import { NS_OMEMO } from "./namespaces.js";
import { OmemoError } from "./omemo-error.js";
import { checkId, DEFAULT_WIRE_LIMITS, parseId, type WireLimits } from "./wire-limits.js";

/** One device of a list; `label` is a non-standard attribute some clients add. */
export interface DeviceEntry {
  id: number;
  label?: string | undefined;
}

/** Builds `<list/>` from device ids (duplicates dropped, order kept). */
export function buildDeviceList(devices: readonly (number | DeviceEntry)[]): Element {
  const seen = new Set<number>();
  const children: Element[] = [];
  for (const device of devices) {
    const entry = typeof device === "number" ? { id: device } : device;
    if (seen.has(checkId(entry.id, "device id"))) continue;
    seen.add(entry.id);
    children.push(xml("device", { id: entry.id, label: entry.label }));
  }
  return xml("list", { xmlns: NS_OMEMO }, children);
}

/** Parses `<list/>`; duplicates are collapsed, anything malformed or too large is refused. */
export function parseDeviceList(
  element: Element,
  limits: WireLimits = DEFAULT_WIRE_LIMITS,
): DeviceEntry[] {
  if (!element.is("list", NS_OMEMO)) {
    throw new OmemoError("malformed", `expected <list xmlns='${NS_OMEMO}'>`);
  }
  const devices = element.getChildren("device", NS_OMEMO);
  if (devices.length > limits.maxDevices) {
    throw new OmemoError(
      "too-large",
      `device list has ${devices.length} devices (limit ${limits.maxDevices})`,
    );
  }
  const byId = new Map<number, DeviceEntry>();
  for (const device of devices) {
    const id = parseId(device.attrs.id, "device id");
    const label = device.attrs.label;
    if (label !== undefined && label.length > limits.maxLabelLength) {
      throw new OmemoError(
        "too-large",
        `label of device ${id} is longer than ${limits.maxLabelLength}`,
      );
    }
    if (!byId.has(id)) byId.set(id, label === undefined ? { id } : { id, label });
  }
  return [...byId.values()];
}
