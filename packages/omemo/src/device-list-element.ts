/**
 * The `<device id='…' label='…'/>` list both OMEMO versions publish: XEP-0384
 * 0.3 § 4.2 as `<list xmlns='eu.siacs.conversations.axolotl'>`, 0.8 § 5.3.1
 * as `<devices xmlns='urn:xmpp:omemo:2'>`. The root and the extra attributes
 * differ; the bounds, id checks and duplicate handling are the same.
 */
import { type Element, xml } from "@clawxmpp/core";
import { OmemoError } from "./omemo-error.js";
import { checkId, parseId, type WireLimits } from "./wire-limits.js";

/** One device of a list; `label` is a non-standard attribute some clients add. */
export interface DeviceEntry {
  id: number;
  label?: string | undefined;
}

/** The list element of one version: `<{name} xmlns={ns}>`. */
export interface DeviceListRoot {
  name: string;
  ns: string;
}

/**
 * Builds the list from device ids or entries (duplicate ids dropped, order kept);
 * `attrs` gives each `<device/>`'s attributes.
 */
export function buildDeviceListElement<T extends DeviceEntry>(
  root: DeviceListRoot,
  devices: readonly (number | T)[],
  attrs: (entry: T | DeviceEntry) => Record<string, string | number | undefined>,
): Element {
  const seen = new Set<number>();
  const children: Element[] = [];
  for (const device of devices) {
    const entry = typeof device === "number" ? { id: device } : device;
    if (seen.has(checkId(entry.id, "device id"))) continue;
    seen.add(entry.id);
    children.push(xml("device", attrs(entry)));
  }
  return xml(root.name, { xmlns: root.ns }, children);
}

/**
 * Parses the list: a wrong root, too many devices, a bad id or a too long label is refused;
 * `read` completes each entry from its `<device/>`, and the first entry of an id wins.
 */
export function parseDeviceListElement<T extends DeviceEntry>(
  root: DeviceListRoot,
  element: Element,
  limits: WireLimits,
  read: (device: Element, entry: DeviceEntry) => T,
): T[] {
  if (!element.is(root.name, root.ns)) {
    throw new OmemoError("malformed", `expected <${root.name} xmlns='${root.ns}'>`);
  }
  const devices = element.getChildren("device", root.ns);
  if (devices.length > limits.maxDevices) {
    throw new OmemoError(
      "too-large",
      `device list has ${devices.length} devices (limit ${limits.maxDevices})`,
    );
  }
  const byId = new Map<number, T>();
  for (const device of devices) {
    const id = parseId(device.attrs.id, "device id");
    const label = device.attrs.label;
    if (label !== undefined && label.length > limits.maxLabelLength) {
      throw new OmemoError(
        "too-large",
        `label of device ${id} is longer than ${limits.maxLabelLength}`,
      );
    }
    const entry = read(device, label === undefined ? { id } : { id, label });
    if (!byId.has(id)) byId.set(id, entry);
  }
  return [...byId.values()];
}
