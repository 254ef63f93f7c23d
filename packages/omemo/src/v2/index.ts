/**
 * OMEMO 2 (XEP-0384 ≥ 0.8, `urn:xmpp:omemo:2`) cryptographic core on
 * `node:crypto`: protobuf messages, Ed25519 identity keys, X3DH, the Double
 * Ratchet, payload encryption and sessions. Part of `@clawxmpp/omemo`.
 */

export { buildBundle2, parseBundle2 } from "./bundle-element.js";
export {
  buildDeviceList2,
  type DeviceEntry2,
  parseDeviceList2,
  signDeviceLabel,
  verifyDeviceLabel,
} from "./device-list.js";
export {
  DEFAULT_RATCHET_LIMITS,
  DoubleRatchet,
  type RatchetLimits,
  type RatchetOptions,
  type RatchetStateJson,
} from "./double-ratchet.js";
export {
  buildEncrypted2,
  type EncryptedKeyEntry2,
  type EncryptedMessage2,
  findEncrypted2,
  parseEncrypted2,
} from "./encrypted-element.js";
export {
  edwardsToMontgomery,
  generateIdentity,
  type IdentityKeyPair,
  identityAgreementKey,
  identityFromSeed,
  signWithIdentity,
  verifyIdentitySignature,
} from "./identity-key.js";
export { openMessage, type RatchetHeader, readHeader, sealMessage } from "./message-aead.js";
export {
  decodeAuthenticatedMessage,
  decodeKeyExchange,
  decodeOmemoMessage,
  encodeAuthenticatedMessage,
  encodeKeyExchange,
  encodeOmemoMessage,
  KEY_BYTES,
  MAC_BYTES,
  MAX_MESSAGE_BYTES,
  type OmemoAuthenticatedMessage,
  type OmemoKeyExchange,
  type OmemoMessage,
} from "./messages.js";
export { NODE_BUNDLES_V2, NODE_DEVICES_V2, NS_OMEMO2 } from "./namespaces.js";
export {
  generatePreKey2,
  generateSignedPreKey2,
  ownBundle2,
  type PreKeyPair2,
  type SignedPreKeyPair2,
} from "./own-keys.js";
export {
  decryptPayload2,
  type EncryptedPayload2,
  emptyKeyMaterial,
  encryptPayload2,
  KEY_MATERIAL_BYTES,
  PAYLOAD_KEY_BYTES_V2,
} from "./payload.js";
export {
  INFO_MESSAGE_KEY,
  INFO_PAYLOAD,
  INFO_ROOT_CHAIN,
  INFO_X3DH,
  type RandomSource,
  secureRandom,
} from "./primitives.js";
export {
  buildEnvelope,
  DEFAULT_ENVELOPE_LIMITS,
  type EnvelopeExpectations,
  type EnvelopeLimits,
  type EnvelopeOptions,
  NS_SCE,
  type OpenedEnvelope,
  parseEnvelope,
} from "./sce-envelope.js";
export {
  type EncryptedKey2,
  type KeyExchangeInfo,
  OmemoSession2,
  type ResponderKeyLookup,
  type SessionOptions,
  type SessionStateJson,
} from "./session.js";
export {
  type Bundle2,
  type PublicPreKey2,
  verifyBundle,
  type X3dhInitiation,
  type X3dhResponderKeys,
  x3dhInitiate,
  x3dhRespond,
} from "./x3dh.js";
