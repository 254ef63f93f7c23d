/**
 * Bounds and small validators for everything OMEMO reads from the network
 * (XEP-0384 0.3 ids are 31-bit; keys are libsignal's 33-byte serialisation).
 * Every parser checks these before allocating, so hostile input costs little.
 */
import type { Element } from "@clawxmpp/core";
import { decodeBase64 } from "./bytes.js";
import { OmemoError } from "./omemo-error.js";

/** Largest device, prekey and signed prekey id (XEP-0384 0.3: 1..2^31−1). */
export const MAX_ID = 0x7fffffff;
/** libsignal public key serialisation: type byte 0x05 + 32-byte Curve25519 key. */
export const PUBLIC_KEY_BYTES = 33;
/** XEdDSA signature length. */
export const SIGNATURE_BYTES = 64;

/** Limits on what the parsers accept; defaults suit real clients with margin. */
export interface WireLimits {
  /** `<key>` elements in one `<encrypted>` header (one per recipient device). */
  maxKeys: number;
  /** Decoded bytes of one `<key>` (a PreKeySignalMessage carrying 32 bytes is ~150–250). */
  maxKeyBytes: number;
  /** Decoded bytes of the `<iv>`. */
  maxIvBytes: number;
  /** Decoded bytes of the `<payload>`. */
  maxPayloadBytes: number;
  /** Devices in one device list. */
  maxDevices: number;
  /** One-time prekeys in one bundle. */
  maxPreKeys: number;
  /** Characters of a device label (a non-standard attribute some clients add). */
  maxLabelLength: number;
}

/** The defaults: generous for rooms and large messages, small enough to bound memory. */
export const DEFAULT_WIRE_LIMITS: Readonly<WireLimits> = Object.freeze({
  maxKeys: 500,
  maxKeyBytes: 1024,
  maxIvBytes: 64,
  maxPayloadBytes: 1024 * 1024,
  maxDevices: 200,
  maxPreKeys: 250,
  maxLabelLength: 200,
});

const DECIMAL = /^(?:0|[1-9][0-9]{0,9})$/;

/** Parses a decimal id attribute; `min` is 1 for device ids, 0 for prekey ids (some clients start at 0). */
export function parseId(value: string | undefined, what: string, min: 0 | 1 = 1): number {
  if (value === undefined) throw new OmemoError("malformed", `${what} is missing`);
  if (!DECIMAL.test(value))
    throw new OmemoError("malformed", `${what} '${clip(value)}' is not a decimal id`);
  const id = Number(value);
  if (id < min || id > MAX_ID) {
    throw new OmemoError("malformed", `${what} ${id} is outside ${min}..${MAX_ID}`);
  }
  return id;
}

/** Checks an id we are about to put on the wire. */
export function checkId(id: number, what: string, min: 0 | 1 = 1): number {
  if (!Number.isInteger(id) || id < min || id > MAX_ID) {
    throw new OmemoError("invalid", `${what} ${id} is not an integer in ${min}..${MAX_ID}`);
  }
  return id;
}

/** Decodes a 33-byte 0x05-prefixed public key from an element's text. */
export function readPublicKey(element: Element | undefined, what: string): Uint8Array {
  if (!element) throw new OmemoError("malformed", `${what} is missing`);
  const key = decodeBase64(element.getText(), PUBLIC_KEY_BYTES, what);
  checkPublicKey(key, what, "malformed");
  return key;
}

/** Checks a libsignal public key serialisation. */
export function checkPublicKey(
  key: Uint8Array,
  what: string,
  condition: "malformed" | "invalid" = "invalid",
): Uint8Array {
  if (key.length !== PUBLIC_KEY_BYTES || key[0] !== 0x05) {
    throw new OmemoError(condition, `${what} is not a 33-byte 0x05-prefixed Curve25519 key`);
  }
  return key;
}

/** The single child `name` in `ns`; an error when there are several. */
export function singleChild(
  parent: Element,
  name: string,
  ns: string,
  what: string,
): Element | undefined {
  const found = parent.getChildren(name, ns);
  if (found.length > 1)
    throw new OmemoError("malformed", `${what} has ${found.length} <${name}> elements`);
  return found[0];
}

/** Quotes hostile text in error messages without letting it grow them. */
export function clip(text: string): string {
  return text.length > 24 ? `${text.slice(0, 24)}…` : text;
}
