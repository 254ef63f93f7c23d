/**
 * The OMEMO 2 device list (XEP-0384 0.8 § 5.3.1), PEP node
 * `urn:xmpp:omemo:2:devices`, item `current`:
 * `<devices xmlns='urn:xmpp:omemo:2'><device id='…' label='…' labelsig='…'/>…</devices>`.
 * `labelsig` (XEP-0384 0.9) is an Ed25519 signature of the label by the
 * device's identity key; {@link verifyDeviceLabel} checks it once the bundle
 * is known, and a label that does not verify should not be shown. Do not
 * publish `labelsig` yet: python-twomemo 1.0.x validates lists against the
 * 0.8 schema and refuses the whole list when it sees the attribute.
 */
import type { Element } from "@clawxmpp/core";
import { decodeBase64, encodeBase64 } from "../bytes.js";
import {
  buildDeviceListElement,
  type DeviceListRoot,
  parseDeviceListElement,
} from "../device-list-element.js";
import { DEFAULT_WIRE_LIMITS, SIGNATURE_BYTES, type WireLimits } from "../wire-limits.js";
import { type IdentityKeyPair, signWithIdentity, verifyIdentitySignature } from "./identity-key.js";
import { NS_OMEMO2 } from "./namespaces.js";

/** One announced device. */
export interface DeviceEntry2 {
  id: number;
  label?: string | undefined;
  /** Signature of `label` by the device's identity key. */
  labelSignature?: Uint8Array | undefined;
}

const DEVICES: DeviceListRoot = { name: "devices", ns: NS_OMEMO2 };

/** Builds `<devices/>` (duplicates dropped, order kept). */
export function buildDeviceList2(devices: readonly (number | DeviceEntry2)[]): Element {
  return buildDeviceListElement(DEVICES, devices, (entry: DeviceEntry2) => ({
    id: entry.id,
    label: entry.label,
    labelsig: entry.labelSignature && encodeBase64(entry.labelSignature),
  }));
}

/** Parses `<devices/>`; duplicates collapse, anything malformed or beyond `limits` is refused. */
export function parseDeviceList2(
  element: Element,
  limits: WireLimits = DEFAULT_WIRE_LIMITS,
): DeviceEntry2[] {
  return parseDeviceListElement(DEVICES, element, limits, (device, entry): DeviceEntry2 => {
    const { labelsig } = device.attrs;
    if (labelsig === undefined) return entry;
    const labelSignature = decodeBase64(
      labelsig,
      SIGNATURE_BYTES,
      `labelsig of device ${entry.id}`,
    );
    return { ...entry, labelSignature };
  });
}

/** Signs a device label with our identity (the `labelsig` value). */
export function signDeviceLabel(identity: IdentityKeyPair, label: string): Uint8Array {
  return signWithIdentity(identity, new TextEncoder().encode(label));
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
