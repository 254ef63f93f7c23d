/**
 * OMEMO 2 sessions of our device (XEP-0384 0.8 § 4.3–4.5): built from
 * bundles on demand, encrypting one payload's key material per recipient
 * device, decrypting `<key>`s addressed to us (key exchanges build the
 * responder's session). The same rules as the 0.3 `OmemoSessions`: one queue
 * per peer device (a session is loaded, ratcheted and saved as one job, and
 * saved only when the operation succeeded, so a tampered message leaves it
 * untouched), trust decided before any decryption from the identity key in
 * the key exchange or the one recorded, and shared with 0.3: an OMEMO 2 key
 * is recorded in its 0.3 form (0x05 ‖ X25519), so one device seen in both
 * versions has one identity and one trust decision.
 */
import { randomInt } from "node:crypto";
import type { DeviceAddress } from "../device-address.js";
import { encodeAddress } from "../device-address.js";
import { KeyedQueue } from "../keyed-queue.js";
import { OmemoError } from "../omemo-error.js";
import type { TrustCheck } from "../omemo-sessions.js";
import type { OmemoStore } from "../omemo-store.js";
import type { EncryptedKeyEntry2, EncryptedMessage2 } from "./encrypted-element.js";
import { edwardsToMontgomery } from "./identity-key.js";
import { decodeKeyExchange } from "./messages.js";
import type { OwnKeys2 } from "./own-keys-store.js";
import { decryptPayload2, emptyKeyMaterial, encryptPayload2 } from "./payload.js";
import { OmemoSession2, type SessionStateJson } from "./session.js";
import type { Bundle2 } from "./x3dh.js";

/** An OMEMO 2 identity key (Ed25519) in its 0.3 form, as identities are recorded. */
export function recordedIdentity(ed25519: Uint8Array): Uint8Array {
  return Uint8Array.of(0x05, ...edwardsToMontgomery(ed25519));
}

/** What {@link Omemo2Sessions.encrypt} produced. */
export interface EncryptResult2 {
  keys: EncryptedKeyEntry2[];
  /** The encrypted payload; absent for an empty (key-transport) message. */
  payload: Uint8Array | undefined;
  encryptedFor: DeviceAddress[];
  skipped: { address: DeviceAddress; error: OmemoError }[];
}

/** What {@link Omemo2Sessions.decrypt} produced. */
export interface DecryptResult2 {
  sender: DeviceAddress;
  /** The sender's identity key in its 0.3 form (33 bytes; fingerprints and trust). */
  identityKey: Uint8Array;
  /** True when a key exchange built a new session. */
  prekey: boolean;
  preKeyId: number | undefined;
  /** The decrypted payload (an SCE envelope), or undefined for an empty message. */
  plaintext: Uint8Array | undefined;
}

const asOmemoError = (error: unknown): OmemoError =>
  error instanceof OmemoError
    ? error
    : new OmemoError("malformed", (error as Error).message, { cause: error });

/** OMEMO 2 session operations of one account. */
export class Omemo2Sessions {
  readonly keys: OwnKeys2;
  readonly #store: OmemoStore;
  readonly #account: string;
  readonly #isTrusted: TrustCheck;
  readonly #queue = new KeyedQueue();
  /** Sessions of a store without OMEMO 2 methods (bounded). */
  readonly #memory = new Map<string, string>();
  #deferred: Set<number> | undefined;

  constructor(store: OmemoStore, keys: OwnKeys2, account: string, isTrusted: TrustCheck) {
    this.#store = store;
    this.keys = keys;
    this.#account = account;
    this.#isTrusted = isTrusted;
  }

  get deviceId(): number {
    return this.keys.deviceId;
  }

  /** Keeps used prekeys until {@link endPreKeyDeferral} (archive catch-up). */
  deferPreKeyRemoval(): void {
    this.#deferred ??= new Set();
  }

  /** Removes the prekeys used while deferring; returns their ids. */
  async endPreKeyDeferral(): Promise<number[]> {
    const ids = [...(this.#deferred ?? [])];
    this.#deferred = undefined;
    for (const id of ids) await this.keys.removePreKey(id);
    return ids;
  }

  async hasSession(address: DeviceAddress): Promise<boolean> {
    return (await this.#load(address)) !== undefined;
  }

  /** Builds a session from a bundle (signature checked), with a prekey picked at random. */
  async buildSession(address: DeviceAddress, bundle: Bundle2): Promise<void> {
    if (!(await this.#isTrusted(address, recordedIdentity(bundle.identityKey), "sending"))) {
      throw new OmemoError("untrusted", `device ${encodeAddress(address)} is not trusted`);
    }
    const preKey = bundle.preKeys[randomInt(Math.max(bundle.preKeys.length, 1))];
    await this.#queue.run(encodeAddress(address), async () => {
      const session = OmemoSession2.initiate(
        this.keys.identity,
        bundle,
        preKey ? { preKeyId: preKey.id } : {},
      );
      await this.#save(address, session);
    });
  }

  /** Encrypts `payload` (an SCE envelope; undefined: an empty message) for every device with a session. */
  async encrypt(
    recipients: readonly DeviceAddress[],
    payload: string | undefined,
  ): Promise<EncryptResult2> {
    const sealed = payload === undefined ? undefined : encryptPayload2(payload);
    const material = sealed?.keyMaterial ?? emptyKeyMaterial();
    const unique = new Map(recipients.map((a) => [encodeAddress(a), a]));
    const outcomes = await Promise.all(
      [...unique].map(([key, address]) =>
        this.#queue
          .run(key, () => this.#encryptKey(address, material))
          .then(
            (entry) => ({ address, entry }),
            (error: unknown) => ({ address, error: asOmemoError(error) }),
          ),
      ),
    );
    const result: EncryptResult2 = {
      keys: [],
      payload: sealed?.ciphertext,
      encryptedFor: [],
      skipped: [],
    };
    for (const outcome of outcomes) {
      if ("error" in outcome) result.skipped.push(outcome);
      else {
        result.keys.push(outcome.entry);
        result.encryptedFor.push(outcome.address);
      }
    }
    return result;
  }

  async #encryptKey(address: DeviceAddress, material: Uint8Array): Promise<EncryptedKeyEntry2> {
    const session = await this.#load(address);
    if (!session) throw new OmemoError("no-session", `no session with ${encodeAddress(address)}`);
    const identity = await this.#store.getIdentity(address);
    if (!identity || !(await this.#isTrusted(address, identity, "sending"))) {
      throw new OmemoError("untrusted", `device ${encodeAddress(address)} is not trusted`);
    }
    const key = session.encrypt(material);
    await this.#save(address, session);
    return { jid: address.jid, rid: address.deviceId, kex: key.kex, data: key.data };
  }

  /**
   * Decrypts the `<key>` addressed to our device from `jid`'s device `message.sid`, then the
   * payload. Conditions: `no-key` (not for us), `untrusted`, `no-session`, `bad-mac`,
   * `duplicate`, `bad-tag`, `malformed`.
   */
  async decrypt(jid: string, message: EncryptedMessage2): Promise<DecryptResult2> {
    const sender = { jid, deviceId: message.sid };
    const key = message.keys.find((k) => k.jid === this.#account && k.rid === this.deviceId);
    if (!key) throw new OmemoError("no-key", "the message is not encrypted for this device");
    return this.#queue.run(encodeAddress(sender), async () => {
      const existing = await this.#load(sender);
      let session: OmemoSession2;
      let material: Uint8Array;
      let preKeyId: number | undefined;
      let identityKey: Uint8Array;
      if (key.kex && !existing?.buildsSameSession(key.data)) {
        const kex = decodeKeyExchange(key.data);
        identityKey = recordedIdentity(kex.ik);
        if (!(await this.#isTrusted(sender, identityKey, "receiving"))) {
          throw new OmemoError("untrusted", `device ${encodeAddress(sender)} is not trusted`);
        }
        const responded = OmemoSession2.respond(
          {
            identity: this.keys.identity,
            signedPreKey: (id) => this.keys.signedPreKey(id),
            preKey: (id) => this.keys.preKey(id),
          },
          key.data,
        );
        session = responded.session;
        material = responded.plaintext;
        preKeyId = kex.pkId;
      } else {
        if (!existing)
          throw new OmemoError("no-session", `no session with ${encodeAddress(sender)}`);
        const known = await this.#store.getIdentity(sender);
        identityKey = known ?? recordedIdentity(existing.keyExchange.ik);
        if (!(await this.#isTrusted(sender, identityKey, "receiving"))) {
          throw new OmemoError("untrusted", `device ${encodeAddress(sender)} is not trusted`);
        }
        session = existing;
        material = session.decrypt(key.data, key.kex);
      }
      const plaintext =
        message.payload === undefined ? undefined : decryptPayload2(material, message.payload);
      await this.#save(sender, session);
      if (preKeyId !== undefined) {
        if (this.#deferred) this.#deferred.add(preKeyId);
        else await this.keys.removePreKey(preKeyId);
      }
      return { sender, identityKey, prekey: preKeyId !== undefined, preKeyId, plaintext };
    });
  }

  async #load(address: DeviceAddress): Promise<OmemoSession2 | undefined> {
    const text = this.#store.getSession2
      ? await this.#store.getSession2(address)
      : this.#memory.get(encodeAddress(address));
    if (text === undefined) return undefined;
    try {
      return OmemoSession2.fromJSON(JSON.parse(text) as SessionStateJson);
    } catch (error) {
      throw new OmemoError(
        "store",
        `the OMEMO 2 session with ${encodeAddress(address)} is invalid`,
        {
          cause: error,
        },
      );
    }
  }

  async #save(address: DeviceAddress, session: OmemoSession2): Promise<void> {
    const text = JSON.stringify(session.toJSON());
    if (this.#store.storeSession2) await this.#store.storeSession2(address, text);
    else {
      if (this.#memory.size >= 10_000) this.#memory.clear();
      this.#memory.set(encodeAddress(address), text);
    }
  }
}
