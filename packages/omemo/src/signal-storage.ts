/**
 * libsignal's `StorageType` on top of an {@link OmemoStore}.
 *
 * `isTrustedIdentity` is deliberately permissive: the library calls it with
 * the bare name only (no device id) and, for incoming PreKey messages,
 * without awaiting it (B4 §2–3), so trust cannot be decided there. OMEMO
 * trust is applied by the session layer, per (jid, device, identity key),
 * before decrypting and before encrypting.
 */
import type {
  Direction,
  KeyPairType,
  StorageType,
} from "@privacyresearch/libsignal-protocol-typescript";
import { bytesEqual, toArrayBuffer } from "./bytes.js";
import { decodeAddress } from "./device-address.js";
import { OmemoError } from "./omemo-error.js";
import type { OmemoStore, OwnDevice, StoredKeyPair } from "./omemo-store.js";

const toLibPair = (pair: StoredKeyPair): KeyPairType => ({
  pubKey: toArrayBuffer(pair.publicKey),
  privKey: toArrayBuffer(pair.privateKey),
});

function keyId(value: number | string): number {
  const id = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(id) || id < 0) throw new OmemoError("invalid", `bad key id ${value}`);
  return id;
}

/** Hooks of {@link signalStorage}. */
export interface SignalStorageHooks {
  /** Replaces the removal of a consumed one-time prekey (to defer it during archive catch-up). */
  removePreKey?: (id: number) => Promise<void>;
}

/** Adapts `store` (whose own device must exist) to libsignal. */
export function signalStorage(
  store: OmemoStore,
  own: OwnDevice,
  hooks: SignalStorageHooks = {},
): StorageType {
  const removePreKey = hooks.removePreKey ?? ((id: number) => store.removePreKey(id));
  return {
    getIdentityKeyPair: async () => toLibPair(own.identityKeyPair),
    getLocalRegistrationId: async () => own.registrationId,
    isTrustedIdentity: async (_identifier: string, _key: ArrayBuffer, _direction: Direction) =>
      true,
    async saveIdentity(encodedAddress, publicKey) {
      const address = decodeAddress(encodedAddress);
      const key = new Uint8Array(publicKey);
      const existing = await store.getIdentity(address);
      if (existing && bytesEqual(existing, key)) return false;
      await store.storeIdentity(address, key);
      return existing !== undefined;
    },
    async loadPreKey(id) {
      const preKey = await store.getPreKey(keyId(id));
      return preKey && toLibPair(preKey);
    },
    async storePreKey(id, keyPair) {
      await store.storePreKeys([
        {
          id: keyId(id),
          publicKey: new Uint8Array(keyPair.pubKey),
          privateKey: new Uint8Array(keyPair.privKey),
        },
      ]);
    },
    // Called after the first successful decrypt of a PreKey message: the prekey is consumed.
    removePreKey: async (id) => removePreKey(keyId(id)),
    async loadSignedPreKey(id) {
      const signed = await store.getSignedPreKey(keyId(id));
      return signed && toLibPair(signed);
    },
    async storeSignedPreKey(id, keyPair) {
      throw new OmemoError(
        "invalid",
        `signed prekey ${id} (${keyPair.pubKey.byteLength} bytes) must be stored with its signature through the key manager`,
      );
    },
    // async: a bad address must reject, not throw synchronously into the library.
    removeSignedPreKey: async (id) => store.removeSignedPreKey(keyId(id)),
    loadSession: async (encodedAddress) => store.getSession(decodeAddress(encodedAddress)),
    storeSession: async (encodedAddress, record) =>
      store.storeSession(decodeAddress(encodedAddress), record),
  };
}
