/**
 * Our OMEMO 2 keys in the account's store (XEP-0384 0.8 § 5.3.2): the
 * identity is the 0.3 identity seen as Ed25519 (`identityFromCurve25519`), so
 * both versions show one fingerprint and share one device id; the signed
 * prekey (one previous kept after a rotation, for messages in flight) and the
 * one-time prekeys are OMEMO 2's own, with monotonic ids like the 0.3 keys.
 * Kept as one JSON record (`setOwnDevice2`), validated when read; a store
 * without OMEMO 2 methods keeps it in memory (a restart makes new prekeys).
 */
import { z } from "zod";
import { decodeBase64, encodeBase64 } from "../bytes.js";
import { OmemoError } from "../omemo-error.js";
import type { OmemoStore, OwnDevice } from "../omemo-store.js";
import { MAX_ID } from "../wire-limits.js";
import { type IdentityKeyPair, identityFromCurve25519 } from "./identity-key.js";
import {
  generatePreKey2,
  generateSignedPreKey2,
  ownBundle2,
  type PreKeyPair2,
  type SignedPreKeyPair2,
} from "./own-keys.js";
import type { Bundle2 } from "./x3dh.js";

const id = z.number().int().min(1).max(MAX_ID);
const b64 = z.string().max(200);
const preKeySchema = z.object({ id, privateKey: b64, publicKey: b64 });
const signedSchema = preKeySchema.extend({ signature: b64, createdAt: z.number() });
const recordSchema = z.object({
  v: z.literal(1),
  signedPreKey: signedSchema,
  previousSignedPreKey: signedSchema.optional(),
  preKeys: z.array(preKeySchema).max(2000),
  nextPreKeyId: id,
  nextSignedPreKeyId: id,
});
type KeysRecord = z.infer<typeof recordSchema>;

interface Keys2 {
  signedPreKey: SignedPreKeyPair2;
  previousSignedPreKey: SignedPreKeyPair2 | undefined;
  preKeys: Map<number, PreKeyPair2>;
  nextPreKeyId: number;
  nextSignedPreKeyId: number;
}

const bytes = (text: string) => decodeBase64(text, 64, "stored OMEMO 2 key");
const preKeyOf = (k: z.infer<typeof preKeySchema>): PreKeyPair2 => ({
  id: k.id,
  privateKey: bytes(k.privateKey),
  publicKey: bytes(k.publicKey),
});
const signedOf = (k: z.infer<typeof signedSchema>): SignedPreKeyPair2 => ({
  ...preKeyOf(k),
  signature: bytes(k.signature),
  createdAt: k.createdAt,
});
const preKeyText = (k: PreKeyPair2) => ({
  id: k.id,
  privateKey: encodeBase64(k.privateKey),
  publicKey: encodeBase64(k.publicKey),
});
const signedText = (k: SignedPreKeyPair2) => ({
  ...preKeyText(k),
  signature: encodeBase64(k.signature),
  createdAt: k.createdAt,
});

/** Our OMEMO 2 identity, signed prekey and one-time prekeys. */
export class OwnKeys2 {
  readonly deviceId: number;
  readonly identity: IdentityKeyPair;
  readonly #store: OmemoStore;
  readonly #preKeyCount: number;
  #keys: Keys2;
  /** Where the record lives when the store has no OMEMO 2 methods. */
  #memory: string | undefined;

  private constructor(store: OmemoStore, own: OwnDevice, keys: Keys2, preKeyCount: number) {
    this.#store = store;
    this.deviceId = own.deviceId;
    this.identity = identityFromCurve25519(own.identityKeyPair.privateKey);
    this.#keys = keys;
    this.#preKeyCount = preKeyCount;
  }

  /** Loads our OMEMO 2 keys, creating (and saving) them on first use. */
  static async open(
    store: OmemoStore,
    own: OwnDevice,
    options: { preKeyCount?: number; now?: () => number } = {},
  ): Promise<OwnKeys2> {
    const preKeyCount = options.preKeyCount ?? 100;
    const text = await store.getOwnDevice2?.();
    if (text !== undefined) {
      return new OwnKeys2(store, own, parseRecord(text), preKeyCount);
    }
    const identity = identityFromCurve25519(own.identityKeyPair.privateKey);
    const signedPreKey = generateSignedPreKey2(identity, 1, {
      now: options.now?.() ?? Date.now(),
    });
    const keys = new OwnKeys2(
      store,
      own,
      {
        signedPreKey,
        previousSignedPreKey: undefined,
        preKeys: new Map(),
        nextPreKeyId: 1,
        nextSignedPreKeyId: 2,
      },
      preKeyCount,
    );
    await keys.replenish();
    return keys;
  }

  /** The bundle to publish. */
  bundle(): Bundle2 {
    return ownBundle2(this.identity, this.#keys.signedPreKey, [...this.#keys.preKeys.values()]);
  }

  /** Private key of signed prekey `spkId` (current or previous). */
  signedPreKey(spkId: number): Uint8Array | undefined {
    const { signedPreKey, previousSignedPreKey } = this.#keys;
    if (signedPreKey.id === spkId) return signedPreKey.privateKey;
    return previousSignedPreKey?.id === spkId ? previousSignedPreKey.privateKey : undefined;
  }

  /** Private key of one-time prekey `pkId`, if we still hold it. */
  preKey(pkId: number): Uint8Array | undefined {
    return this.#keys.preKeys.get(pkId)?.privateKey;
  }

  /** Forgets a used one-time prekey (it is never advertised again). */
  async removePreKey(pkId: number): Promise<void> {
    if (this.#keys.preKeys.delete(pkId)) await this.#save();
  }

  /** Tops the one-time prekeys up to the configured count; returns how many were added. */
  async replenish(): Promise<number> {
    let added = 0;
    while (this.#keys.preKeys.size < this.#preKeyCount) {
      const preKey = generatePreKey2(this.#keys.nextPreKeyId++);
      this.#keys.preKeys.set(preKey.id, preKey);
      added++;
    }
    if (added > 0 || this.#memory === undefined) await this.#save();
    return added;
  }

  /** Age of the current signed prekey in ms at `now`. */
  signedPreKeyAge(now: number): number {
    return now - this.#keys.signedPreKey.createdAt;
  }

  /** Replaces the signed prekey, keeping the previous one. */
  async rotate(now: number): Promise<void> {
    const next = generateSignedPreKey2(this.identity, this.#keys.nextSignedPreKeyId++, { now });
    this.#keys.previousSignedPreKey = this.#keys.signedPreKey;
    this.#keys.signedPreKey = next;
    await this.#save();
  }

  async #save(): Promise<void> {
    const k = this.#keys;
    const record: KeysRecord = {
      v: 1,
      signedPreKey: signedText(k.signedPreKey),
      ...(k.previousSignedPreKey && { previousSignedPreKey: signedText(k.previousSignedPreKey) }),
      preKeys: [...k.preKeys.values()].map(preKeyText),
      nextPreKeyId: k.nextPreKeyId,
      nextSignedPreKeyId: k.nextSignedPreKeyId,
    };
    const text = JSON.stringify(record);
    this.#memory = text;
    await this.#store.setOwnDevice2?.(text);
  }
}

function parseRecord(text: string): Keys2 {
  try {
    const record = recordSchema.parse(JSON.parse(text));
    return {
      signedPreKey: signedOf(record.signedPreKey),
      previousSignedPreKey: record.previousSignedPreKey && signedOf(record.previousSignedPreKey),
      preKeys: new Map(record.preKeys.map((k) => [k.id, preKeyOf(k)])),
      nextPreKeyId: record.nextPreKeyId,
      nextSignedPreKeyId: record.nextSignedPreKeyId,
    };
  } catch (error) {
    throw new OmemoError(
      "store",
      `the stored OMEMO 2 keys are invalid: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
