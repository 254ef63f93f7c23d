/**
 * A peer device: bare JID plus OMEMO device id. Encoded `jid.deviceId` like
 * libsignal's `SignalProtocolAddress.toString()`, and decoded at the LAST dot,
 * because the library's own `fromString()` splits at the first and breaks on
 * every JID with a dot in its domain (B4 §4).
 */
import { OmemoError } from "./omemo-error.js";
import { checkId } from "./wire-limits.js";

/** A device of a bare JID. */
export interface DeviceAddress {
  jid: string;
  deviceId: number;
}

/** `alice@example.com.1234`. */
export function encodeAddress(address: DeviceAddress): string {
  checkId(address.deviceId, "device id");
  return `${address.jid}.${address.deviceId}`;
}

/** The inverse of {@link encodeAddress}. */
export function decodeAddress(encoded: string): DeviceAddress {
  const dot = encoded.lastIndexOf(".");
  const deviceId = Number(encoded.slice(dot + 1));
  if (dot <= 0 || !/^[1-9][0-9]*$/.test(encoded.slice(dot + 1))) {
    throw new OmemoError("invalid", `'${encoded}' is not a jid.deviceId address`);
  }
  return { jid: encoded.slice(0, dot), deviceId: checkId(deviceId, "device id") };
}
