/**
 * Signal sessions for legacy OMEMO (XEP-0384 0.3 § 4.4–4.6): builds sessions
 * from bundles, encrypts a message once (payload-crypto) and its key ‖ tag
 * per recipient device through libsignal, and decrypts what we receive.
 *
 * All work on one peer device runs through one queue (libsignal reads,
 * ratchets and writes a session record in separate async steps). Trust is
 * decided here, not inside the library: `isTrusted` is asked with the
 * identity key read from the message before a PreKey message is decrypted,
 * and with the stored identity key before encrypting or decrypting on an
 * existing session.
 */

import { randomBytes, randomInt } from "node:crypto";
import type { Element } from "@clawxmpp/core";
import type { SessionCipher as SessionCipherType } from "@privacyresearch/libsignal-protocol-typescript";
import type { Bundle } from "./bundle-element.js";
import { binaryStringToBytes, toArrayBuffer } from "./bytes.js";
import { type DeviceAddress, encodeAddress } from "./device-address.js";
import { buildEncrypted, type EncryptedKey, type EncryptedMessage } from "./encrypted-element.js";
import { KeyedQueue } from "./keyed-queue.js";
import { type LoadedLibsignal, loadLibsignal, pruneSessionLock } from "./libsignal.js";
import { OmemoError } from "./omemo-error.js";
import type { OmemoStore, OwnDevice } from "./omemo-store.js";
import { decryptPayloadText, encryptPayload, PAYLOAD_IV_BYTES } from "./payload-crypto.js";
import { readPreKeyMessage } from "./prekey-message.js";
import { signalStorage } from "./signal-storage.js";

/** Decides whether a peer device's identity key may be used (the trust policy). */
export type TrustCheck = (
  address: DeviceAddress,
  identityKey: Uint8Array,
  direction: "sending" | "receiving",
) => boolean | Promise<boolean>;

/** Options of {@link OmemoSessions}. */
export interface OmemoSessionsOptions {
  /** The trust policy; default trusts every key (only for tests and throwaway bots). */
  isTrusted?: TrustCheck;
}

/** What {@link OmemoSessions.encrypt} produced. */
export interface EncryptResult {
  /** The `<encrypted/>` content, ready for {@link buildEncrypted}. */
  message: EncryptedMessage;
  /** The element itself. */
  element: Element;
  /** Devices that got a key. */
  encryptedFor: DeviceAddress[];
  /** Devices left out, with why (no session, untrusted…). */
  skipped: { address: DeviceAddress; error: OmemoError }[];
}

/** What {@link OmemoSessions.decrypt} produced. */
export interface DecryptResult {
  sender: DeviceAddress;
  /** The sender device's identity key (33 bytes). */
  identityKey: Uint8Array;
  /** True when this was a PreKey message (a session was built or confirmed). */
  prekey: boolean;
  /** The one-time prekey the sender used, when a PreKey message named one (now consumed). */
  preKeyId: number | undefined;
  /** The text, or undefined for a key-transport (empty) message. */
  plaintext: string | undefined;
}

/** Session operations of one account. */
export class OmemoSessions {
  readonly own: OwnDevice;
  readonly #store: OmemoStore;
  readonly #lib: LoadedLibsignal["lib"];
  readonly #storage: ReturnType<typeof signalStorage>;
  readonly #queue = new KeyedQueue();
  readonly #isTrusted: TrustCheck;
  #deferred: Set<number> | undefined;

  private constructor(
    store: OmemoStore,
    own: OwnDevice,
    lib: LoadedLibsignal["lib"],
    options: OmemoSessionsOptions,
  ) {
    this.#store = store;
    this.own = own;
    this.#lib = lib;
    this.#storage = signalStorage(store, own, {
      removePreKey: async (id) => {
        if (this.#deferred) this.#deferred.add(id);
        else await store.removePreKey(id);
      },
    });
    this.#isTrusted = options.isTrusted ?? (() => true);
  }

  /** Sessions for the device held in `store` (create it first with `ensureOwnDevice`). */
  static async open(store: OmemoStore, options: OmemoSessionsOptions = {}): Promise<OmemoSessions> {
    const own = await store.getOwnDevice();
    if (!own) throw new OmemoError("store", "no OMEMO device yet; call ensureOwnDevice first");
    const { lib } = await loadLibsignal();
    return new OmemoSessions(store, own, lib, options);
  }

  /**
   * Keeps consumed one-time prekeys until {@link endPreKeyDeferral}: during
   * archive (MAM) catch-up several PreKey messages may name the same prekey,
   * and XEP-0384 0.3 says to delete it only once catch-up is over.
   */
  deferPreKeyRemoval(): void {
    this.#deferred ??= new Set();
  }

  /** Removes the prekeys consumed while deferring; returns their ids (replenish and republish then). */
  async endPreKeyDeferral(): Promise<number[]> {
    const ids = [...(this.#deferred ?? [])];
    this.#deferred = undefined;
    for (const id of ids) await this.#store.removePreKey(id);
    return ids;
  }

  /** True when we hold a session with this device. */
  async hasSession(address: DeviceAddress): Promise<boolean> {
    return this.#queue.run(encodeAddress(address), () => this.#cipher(address).hasOpenSession());
  }

  /**
   * Builds a session from a device's bundle, with one of its prekeys picked at
   * random (two senders picking the same one would collide). The library checks
   * the signed prekey's signature; a bad one is `bad-signature`.
   */
  async buildSession(address: DeviceAddress, bundle: Bundle): Promise<void> {
    this.#checkNotOwn(address);
    if (!(await this.#isTrusted(address, bundle.identityKey, "sending"))) {
      throw new OmemoError("untrusted", `device ${encodeAddress(address)} is not trusted`);
    }
    const preKey =
      bundle.preKeys.length > 0 ? bundle.preKeys[randomInt(bundle.preKeys.length)] : undefined;
    await this.#queue.run(encodeAddress(address), async () => {
      const builder = new this.#lib.SessionBuilder(this.#storage, this.#libAddress(address));
      try {
        await builder.processPreKey({
          registrationId: 0,
          identityKey: toArrayBuffer(bundle.identityKey),
          signedPreKey: {
            keyId: bundle.signedPreKey.id,
            publicKey: toArrayBuffer(bundle.signedPreKey.publicKey),
            signature: toArrayBuffer(bundle.signedPreKey.signature),
          },
          ...(preKey && {
            preKey: { keyId: preKey.id, publicKey: toArrayBuffer(preKey.publicKey) },
          }),
        });
      } catch (error) {
        throw libraryError(error, address, "cannot build a session with");
      } finally {
        pruneSessionLock();
      }
    });
  }

  /**
   * Encrypts `plaintext` (or, when undefined, a key-transport message) for
   * every device in `recipients` that has a session and is trusted.
   */
  async encrypt(
    recipients: readonly DeviceAddress[],
    plaintext: string | undefined,
  ): Promise<EncryptResult> {
    const sealed = plaintext === undefined ? undefined : encryptPayload(plaintext);
    // A key transport still carries a fresh key and IV, as other clients send it.
    const keyAndTag = sealed?.keyAndTag ?? new Uint8Array(randomBytes(32));
    const iv = sealed?.iv ?? new Uint8Array(randomBytes(PAYLOAD_IV_BYTES));
    const unique = new Map(recipients.map((a) => [encodeAddress(a), a]));
    const outcomes = await Promise.all(
      [...unique.entries()].map(([key, address]) =>
        this.#queue
          .run(key, () => this.#encryptKey(address, keyAndTag))
          .then(
            (data) => ({ address, data }),
            (error: unknown) => ({ address, error: asOmemoError(error) }),
          ),
      ),
    );
    pruneSessionLock();
    const keys: EncryptedKey[] = [];
    const result: Omit<EncryptResult, "message" | "element"> = { encryptedFor: [], skipped: [] };
    for (const outcome of outcomes) {
      if ("error" in outcome) result.skipped.push(outcome);
      else {
        keys.push({ rid: outcome.address.deviceId, ...outcome.data });
        result.encryptedFor.push(outcome.address);
      }
    }
    const message: EncryptedMessage = {
      sid: this.own.deviceId,
      keys,
      iv,
      payload: sealed?.ciphertext,
    };
    return { message, element: buildEncrypted(message), ...result };
  }

  async #encryptKey(
    address: DeviceAddress,
    keyAndTag: Uint8Array,
  ): Promise<Omit<EncryptedKey, "rid">> {
    this.#checkNotOwn(address);
    const cipher = this.#cipher(address);
    if (!(await cipher.hasOpenSession())) {
      throw new OmemoError("no-session", `no session with ${encodeAddress(address)}`);
    }
    await this.#checkTrust(address, undefined, "sending");
    try {
      const sent = await cipher.encrypt(toArrayBuffer(keyAndTag));
      if (sent.body === undefined) throw new Error("empty ciphertext");
      return { prekey: sent.type === 3, data: binaryStringToBytes(sent.body) };
    } catch (error) {
      throw libraryError(error, address, "cannot encrypt for");
    }
  }

  /**
   * Decrypts a message from `jid` (the sender's bare JID). Errors carry a
   * condition: `no-key` (not encrypted for this device), `untrusted`,
   * `duplicate` (a replay or a copy seen before: ignore silently), `no-session`
   * and `bad-mac` (candidates for healing), `bad-tag` (payload tampered).
   */
  async decrypt(jid: string, message: EncryptedMessage): Promise<DecryptResult> {
    const sender = { jid, deviceId: message.sid };
    const ours = message.keys.filter((k) => k.rid === this.own.deviceId);
    const key = ours.length === 1 ? ours[0] : undefined;
    if (!key) {
      throw new OmemoError(
        ours.length > 1 ? "malformed" : "no-key",
        ours.length > 1
          ? `message from ${encodeAddress(sender)} has ${ours.length} keys for this device`
          : `message from ${encodeAddress(sender)} is not encrypted for device ${this.own.deviceId}`,
      );
    }
    if (jid === "") throw new OmemoError("invalid", "the sender's bare JID is required");
    const { keyAndTag, identityKey, preKeyId } = await this.#queue
      .run(encodeAddress(sender), () => this.#decryptKey(sender, key))
      .finally(() => pruneSessionLock());
    const plaintext =
      message.payload === undefined
        ? undefined
        : decryptPayloadText(keyAndTag, message.iv, message.payload);
    return { sender, identityKey, prekey: key.prekey, preKeyId, plaintext };
  }

  async #decryptKey(sender: DeviceAddress, key: EncryptedKey) {
    const cipher = this.#cipher(sender);
    let identityKey: Uint8Array;
    let preKeyId: number | undefined;
    if (key.prekey) {
      const info = readPreKeyMessage(key.data);
      identityKey = info.identityKey;
      preKeyId = info.preKeyId;
      await this.#checkTrust(sender, identityKey, "receiving");
    } else {
      identityKey = await this.#checkTrust(sender, undefined, "receiving");
    }
    let plain: ArrayBuffer;
    try {
      const data = Buffer.from(key.data).toString("latin1");
      plain = key.prekey
        ? await cipher.decryptPreKeyWhisperMessage(data, "binary")
        : await cipher.decryptWhisperMessage(data, "binary");
    } catch (error) {
      throw libraryError(error, sender, "cannot decrypt from");
    }
    return { keyAndTag: new Uint8Array(plain), identityKey, preKeyId };
  }

  // Asks the policy about `identityKey`, or the stored key of an existing session; returns the key.
  async #checkTrust(
    address: DeviceAddress,
    identityKey: Uint8Array | undefined,
    direction: "sending" | "receiving",
  ): Promise<Uint8Array> {
    const key = identityKey ?? (await this.#store.getIdentity(address));
    if (!key)
      throw new OmemoError("no-session", `no identity key known for ${encodeAddress(address)}`);
    if (!(await this.#isTrusted(address, key, direction))) {
      throw new OmemoError("untrusted", `device ${encodeAddress(address)} is not trusted`);
    }
    return key;
  }

  #checkNotOwn(address: DeviceAddress): void {
    if (address.deviceId === this.own.deviceId) {
      throw new OmemoError("invalid", "never encrypt for our own sending device");
    }
  }

  #libAddress(address: DeviceAddress) {
    return new this.#lib.SignalProtocolAddress(address.jid, address.deviceId);
  }

  #cipher(address: DeviceAddress): SessionCipherType {
    return new this.#lib.SessionCipher(this.#storage, this.#libAddress(address));
  }
}

function asOmemoError(error: unknown): OmemoError {
  return error instanceof OmemoError
    ? error
    : new OmemoError("malformed", (error as Error)?.message ?? String(error), { cause: error });
}

// The library reports everything as plain Errors; its messages are the only way to tell them apart.
function libraryError(error: unknown, address: DeviceAddress, doing: string): OmemoError {
  if (error instanceof OmemoError) return error;
  const text = (error as Error)?.message ?? String(error);
  const where = `${doing} ${encodeAddress(address)}`;
  if (
    (error as Error)?.name === "MessageCounterError" ||
    /counter was repeated|Message key not found/i.test(text)
  ) {
    return new OmemoError("duplicate", `${where}: message already received`, { cause: error });
  }
  if (/No record|No session|no open session|unable to find session/i.test(text)) {
    return new OmemoError("no-session", `${where}: no session`, { cause: error });
  }
  if (/Bad MAC/i.test(text))
    return new OmemoError("bad-mac", `${where}: Bad MAC`, { cause: error });
  if (/signature/i.test(text)) {
    return new OmemoError("bad-signature", `${where}: bad signed prekey signature`, {
      cause: error,
    });
  }
  if (/Identity key changed|untrusted/i.test(text)) {
    return new OmemoError("untrusted", `${where}: ${text}`, { cause: error });
  }
  return new OmemoError("malformed", `${where}: ${text}`, { cause: error });
}
