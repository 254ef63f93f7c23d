/**
 * The three protobuf messages of OMEMO 2 (XEP-0384 0.8 § 5.4.2 / § 7.1
 * schema `urn:xmpp:omemo:2`):
 *
 *   message OMEMOMessage              { required uint32 n = 1; required uint32 pn = 2;
 *                                       required bytes dh_pub = 3; optional bytes ciphertext = 4; }
 *   message OMEMOAuthenticatedMessage { required bytes mac = 1; required bytes message = 2; }
 *   message OMEMOKeyExchange          { required uint32 pk_id = 1; required uint32 spk_id = 2;
 *                                       required bytes ik = 3; required bytes ek = 4;
 *                                       required OMEMOAuthenticatedMessage message = 5; }
 *
 * Decoders also check what the protocol fixes beyond protobuf: 32-byte keys
 * and the 16-byte truncated MAC, so later code never sees a wrong length.
 */
import { OmemoError } from "../omemo-error.js";
import { DEFAULT_WIRE_LIMITS } from "../wire-limits.js";
import { decodeFields, encodeFields, type ProtoField } from "./proto-wire.js";

/** Curve25519 / Ed25519 public keys travel as 32 raw bytes in OMEMO 2. */
export const KEY_BYTES = 32;
/** HMAC-SHA-256 truncated to 16 bytes (XEP-0384 § 7.2 step 6). */
export const MAC_BYTES = 16;
/** Largest serialised message we decode: the `<key>` limit of the 0.3 wire limits (a real one is ~150 bytes). */
export const MAX_MESSAGE_BYTES = DEFAULT_WIRE_LIMITS.maxKeyBytes;

/** The Double Ratchet header plus (when sent) the encrypted key material. */
export interface OmemoMessage {
  /** Message number in the sending chain. */
  n: number;
  /** Length of the previous sending chain. */
  pn: number;
  /** The sender's current ratchet public key (X25519, 32 bytes). */
  dhPub: Uint8Array;
  /** AES-256-CBC ciphertext; absent in the associated-data form of the header. */
  ciphertext?: Uint8Array | undefined;
}

/** An OMEMOMessage and its truncated HMAC. */
export interface OmemoAuthenticatedMessage {
  mac: Uint8Array;
  /** The serialised OMEMOMessage exactly as received: the MAC covers these bytes. */
  message: Uint8Array;
}

/** The X3DH key exchange wrapped around the first messages of a session. */
export interface OmemoKeyExchange {
  /** Id of the one-time prekey used. */
  pkId: number;
  /** Id of the signed prekey used. */
  spkId: number;
  /** The initiator's Ed25519 identity key. */
  ik: Uint8Array;
  /** The initiator's X25519 ephemeral key. */
  ek: Uint8Array;
  /** The serialised OMEMOAuthenticatedMessage inside. */
  message: Uint8Array;
}

const MESSAGE_SCHEMA: readonly ProtoField[] = [
  { number: 1, type: "uint32", required: true },
  { number: 2, type: "uint32", required: true },
  { number: 3, type: "bytes", required: true, maxBytes: KEY_BYTES },
  { number: 4, type: "bytes", required: false },
];
const AUTHENTICATED_SCHEMA: readonly ProtoField[] = [
  { number: 1, type: "bytes", required: true, maxBytes: MAC_BYTES },
  { number: 2, type: "bytes", required: true },
];
const KEY_EXCHANGE_SCHEMA: readonly ProtoField[] = [
  { number: 1, type: "uint32", required: true },
  { number: 2, type: "uint32", required: true },
  { number: 3, type: "bytes", required: true, maxBytes: KEY_BYTES },
  { number: 4, type: "bytes", required: true, maxBytes: KEY_BYTES },
  { number: 5, type: "bytes", required: true },
];

/** Checks a fixed-size field: `malformed` when received, `invalid` when we are about to send it. */
export function exactLength(
  bytes: Uint8Array,
  length: number,
  what: string,
  condition: "malformed" | "invalid",
): Uint8Array {
  if (bytes.length !== length)
    throw new OmemoError(condition, `${what} is ${bytes.length} bytes, expected ${length}`);
  return bytes;
}

/** Serialises an OMEMOMessage (without `ciphertext`: the header form used in associated data). */
export function encodeOmemoMessage(message: OmemoMessage): Uint8Array {
  exactLength(message.dhPub, KEY_BYTES, "OMEMOMessage.dh_pub", "invalid");
  return encodeFields([
    [1, message.n],
    [2, message.pn],
    [3, message.dhPub],
    [4, message.ciphertext],
  ]);
}

/** Parses an OMEMOMessage. */
export function decodeOmemoMessage(bytes: Uint8Array): OmemoMessage {
  const fields = decodeFields(bytes, MESSAGE_SCHEMA, "OMEMOMessage", MAX_MESSAGE_BYTES);
  return {
    n: fields.get(1) as number,
    pn: fields.get(2) as number,
    dhPub: exactLength(fields.get(3) as Uint8Array, KEY_BYTES, "OMEMOMessage.dh_pub", "malformed"),
    ciphertext: fields.get(4) as Uint8Array | undefined,
  };
}

/** Serialises an OMEMOAuthenticatedMessage. */
export function encodeAuthenticatedMessage(message: OmemoAuthenticatedMessage): Uint8Array {
  exactLength(message.mac, MAC_BYTES, "OMEMOAuthenticatedMessage.mac", "invalid");
  return encodeFields([
    [1, message.mac],
    [2, message.message],
  ]);
}

/** Parses an OMEMOAuthenticatedMessage (the inner OMEMOMessage stays serialised until its MAC is checked). */
export function decodeAuthenticatedMessage(bytes: Uint8Array): OmemoAuthenticatedMessage {
  const fields = decodeFields(
    bytes,
    AUTHENTICATED_SCHEMA,
    "OMEMOAuthenticatedMessage",
    MAX_MESSAGE_BYTES,
  );
  return {
    mac: exactLength(
      fields.get(1) as Uint8Array,
      MAC_BYTES,
      "OMEMOAuthenticatedMessage.mac",
      "malformed",
    ),
    message: fields.get(2) as Uint8Array,
  };
}

/** Serialises an OMEMOKeyExchange. */
export function encodeKeyExchange(keyExchange: OmemoKeyExchange): Uint8Array {
  exactLength(keyExchange.ik, KEY_BYTES, "OMEMOKeyExchange.ik", "invalid");
  exactLength(keyExchange.ek, KEY_BYTES, "OMEMOKeyExchange.ek", "invalid");
  return encodeFields([
    [1, keyExchange.pkId],
    [2, keyExchange.spkId],
    [3, keyExchange.ik],
    [4, keyExchange.ek],
    [5, keyExchange.message],
  ]);
}

/** Parses an OMEMOKeyExchange, including a structural check of the message inside. */
export function decodeKeyExchange(bytes: Uint8Array): OmemoKeyExchange {
  const fields = decodeFields(bytes, KEY_EXCHANGE_SCHEMA, "OMEMOKeyExchange", MAX_MESSAGE_BYTES);
  const message = fields.get(5) as Uint8Array;
  decodeAuthenticatedMessage(message);
  return {
    pkId: fields.get(1) as number,
    spkId: fields.get(2) as number,
    ik: exactLength(fields.get(3) as Uint8Array, KEY_BYTES, "OMEMOKeyExchange.ik", "malformed"),
    ek: exactLength(fields.get(4) as Uint8Array, KEY_BYTES, "OMEMOKeyExchange.ek", "malformed"),
    message,
  };
}
