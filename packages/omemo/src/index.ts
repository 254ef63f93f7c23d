/**
 * `@clawxmpp/omemo` (GPL-3.0-only): legacy OMEMO end-to-end encryption
 * (XEP-0384 0.3, `eu.siacs.conversations.axolotl`) on libsignal with a
 * native X25519 curve. This is the groundwork: wire format, payload crypto,
 * store, keys and sessions; the XMPP plugin comes on top of it.
 */
export { type Bundle, buildBundle, type PublicPreKey, parseBundle } from "./bundle-element.js";
export { type DeviceAddress, decodeAddress, encodeAddress } from "./device-address.js";
export { DeviceDirectory, type DeviceListChange } from "./device-directory.js";
export { buildDeviceList, type DeviceEntry, parseDeviceList } from "./device-list.js";
export {
  buildEncrypted,
  type EncryptedKey,
  type EncryptedMessage,
  findEncrypted,
  parseEncrypted,
} from "./encrypted-element.js";
export { fingerprintHex, formatFingerprint, normalizeFingerprint } from "./fingerprint.js";
export { JsonFileOmemoStore } from "./json-file-store.js";
export {
  ensureOwnDevice,
  generateDeviceId,
  generatePreKeys,
  type KeyOptions,
  ownBundle,
  replenishPreKeys,
  rotateSignedPreKey,
} from "./key-manager.js";
export { KeyedQueue } from "./keyed-queue.js";
export { type LibsignalApi, type LoadedLibsignal, loadLibsignal, useCurve } from "./libsignal.js";
export { MemoryOmemoStore } from "./memory-store.js";
export { DEFAULT_FALLBACK_BODY, omemoHints } from "./message-hints.js";
export {
  bundleNode,
  NODE_BUNDLES_PREFIX,
  NODE_DEVICE_LIST,
  NS_EME,
  NS_HINTS,
  NS_OMEMO,
} from "./namespaces.js";
export {
  type AsyncCurve25519,
  clampPrivateKey,
  nativeAgreement,
  nativeCurve,
  nativePublicKey,
} from "./native-curve.js";
export { type OmemoCondition, OmemoError } from "./omemo-error.js";
export type { OmemoHandle, OmemoIdentity } from "./omemo-handle.js";
export {
  type OmemoOptions,
  type OmemoOptionsInput,
  omemoOptionsSchema,
  TRUST_MODES,
  type TrustMode,
} from "./omemo-options.js";
export { omemo } from "./omemo-plugin.js";
export {
  type DecryptResult,
  type EncryptResult,
  OmemoSessions,
  type OmemoSessionsOptions,
  type TrustCheck,
} from "./omemo-sessions.js";
export type {
  OmemoStore,
  OwnDevice,
  StoredKeyPair,
  StoredPreKey,
  StoredSignedPreKey,
  TrustState,
} from "./omemo-store.js";
export type {
  DeviceAddedEvent,
  DeviceInfo,
  OmemoEvents,
  OmemoMessageInfo,
  UndecryptableEvent,
} from "./omemo-types.js";
export {
  decryptPayload,
  decryptPayloadText,
  type EncryptedPayload,
  encryptPayload,
} from "./payload-crypto.js";
export { type PreKeyMessageInfo, readPreKeyMessage } from "./prekey-message.js";
export { type SignalStorageHooks, signalStorage } from "./signal-storage.js";
export type { IdentityEvent } from "./trust-policy.js";
export * from "./v2/index.js";
export { DEFAULT_WIRE_LIMITS, MAX_ID, type WireLimits } from "./wire-limits.js";
