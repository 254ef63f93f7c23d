/**
 * The OMEMO 2 device list (XEP-0384 0.8 § 5.3.1), PEP node
 * `urn:xmpp:omemo:2:devices`, item `current`:
 * `<devices xmlns='urn:xmpp:omemo:2'><device id='…' label='…' labelsig='…'/>…</devices>`.
 * `labelsig` (XEP-0384 0.9) is an Ed25519 signature of the label by the
 * device's identity key; {@link verifyDeviceLabel} checks it once the bundle
 * is known, and a label that does not verify should not be shown.
 */
import { type Element, xml } from "@clawxmpp/core";
import { decodeBase64, encodeBase64 } from "../bytes.js";
import { OmemoError } from "../omemo-error.js";
import {
  checkId,
  DEFAULT_WIRE_LIMITS,
  parseId,
  SIGNATURE_BYTES,
  type WireLimits,
} from "../wire-limits.js";
import { type IdentityKeyPair, signWithIdentity, verifyIdentitySignature } from "./identity-key.js";
import { NS_OMEMO2 } from "./namespaces.js";

/** One announced device. */
export interface DeviceEntry2 {
  id: number;
  label?: string | undefined;
  /** Signature of `label` by the device's identity key. */
  labelSignature?: Uint8Array | undefined;
}

/** Builds `<devices/>` (duplicates dropped, order kept). */
export function buildDeviceList2(devices: readonly (number | DeviceEntry2)[]): Element {
  const seen = new Set<number>();
  const children: Element[] = [];
  for (const device of devices) {
    const entry = typeof device === "number" ? { id: device } : device;
    if (seen.has(checkId(entry.id, "device id"))) continue;
    seen.add(entry.id);
    children.push(
      xml("device", {
        id: entry.id,
        label: entry.label,
        labelsig: entry.labelSignature && encodeBase64(entry.labelSignature),
      }),
    );
  }
  return xml("devices", { xmlns: NS_OMEMO2 }, children);
}

/** Parses `<devices/>`; duplicates collapse, anything malformed or beyond `limits` is refused. */
export function parseDeviceList2(
  element: Element,
  limits: WireLimits = DEFAULT_WIRE_LIMITS,
): DeviceEntry2[] {
  if (!element.is("devices", NS_OMEMO2))
    throw new OmemoError("malformed", `expected <devices xmlns='${NS_OMEMO2}'>`);
  const devices = element.getChildren("device", NS_OMEMO2);
  if (devices.length > limits.maxDevices) {
    throw new OmemoError(
      "too-large",
      `device list has ${devices.length} devices (limit ${limits.maxDevices})`,
    );
  }
  const byId = new Map<number, DeviceEntry2>();
  for (const device of devices) {
    const id = parseId(device.attrs.id, "device id");
    const { label, labelsig } = device.attrs;
    if (label !== undefined && label.length > limits.maxLabelLength) {
      throw new OmemoError(
        "too-large",
        `label of device ${id} is longer than ${limits.maxLabelLength}`,
      );
    }
    const entry: DeviceEntry2 = { id };
    if (label !== undefined) entry.label = label;
    if (labelsig !== undefined)
      entry.labelSignature = decodeBase64(labelsig, SIGNATURE_BYTES, `labelsig of device ${id}`);
    if (!byId.has(id)) byId.set(id, entry);
  }
  return [...byId.values()];
}

/** Signs a device label with our identity (the `labelsig` value). */
export function signDeviceLabel(identity: IdentityKeyPair, label: string): Uint8Array {
  return signWithIdentity(identity.seed, new TextEncoder().encode(label));
}

/** True when the entry's label carries a valid signature by `identityKey` (Ed25519, 32 bytes). */
export function verifyDeviceLabel(identityKey: Uint8Array, entry: DeviceEntry2): boolean {
  if (entry.label === undefined || entry.labelSignature === undefined) return false;
  return verifyIdentitySignature(
    identityKey,
    new TextEncoder().encode(entry.label),
    entry.labelSignature,
  );
}
