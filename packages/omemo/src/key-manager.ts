/**
 * Our own device's keys (XEP-0384 0.3 § 4.3; B1, B4 §7): a random 31-bit
 * device id, the identity key, a signed prekey and at least 100 one-time
 * prekeys. Prekey ids only grow (a refill never reuses the id of a consumed
 * key, unlike Converse), so a consumed prekey is never advertised again.
 *
 * Generation yields to the event loop whenever a slice of work has run for
 * `sliceMs` (10 ms by default), so even the library's pure-JS curve (5–13 ms
 * per key) never holds the loop much beyond ~20 ms: sockets, stream
 * management acks and pings keep flowing while a new device is set up.
 */
import { randomInt } from "node:crypto";
import type { Bundle } from "./bundle-element.js";
import { loadLibsignal } from "./libsignal.js";
import { OmemoError } from "./omemo-error.js";
import type { OmemoStore, OwnDevice, StoredPreKey, StoredSignedPreKey } from "./omemo-store.js";
import { MAX_ID } from "./wire-limits.js";

/** How keys are generated. */
export interface KeyOptions {
  /** One-time prekeys kept published (XEP-0384 0.3: SHOULD 100, MUST ≥ 20). */
  preKeyCount?: number;
  /** Work between two yields to the event loop, in milliseconds. */
  sliceMs?: number;
  /** Device ids already in our device list (a new id must not collide). */
  takenDeviceIds?: Iterable<number>;
  /** Monotonic clock in milliseconds deciding when to yield (tests). */
  now?: () => number;
}

const DEFAULT_PREKEYS = 100;
const MIN_PREKEYS = 20;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A device id in 1..2^31−1 not in `taken`. */
export function generateDeviceId(taken: Iterable<number> = []): number {
  const used = new Set(taken);
  for (;;) {
    // randomInt's upper bound is exclusive.
    const id = randomInt(1, MAX_ID + 1);
    if (!used.has(id)) return id;
  }
}

function preKeyTarget(options: KeyOptions): number {
  const count = options.preKeyCount ?? DEFAULT_PREKEYS;
  if (!Number.isInteger(count) || count < MIN_PREKEYS || count > 1000) {
    throw new OmemoError(
      "invalid",
      `preKeyCount ${count} must be an integer in ${MIN_PREKEYS}..1000`,
    );
  }
  return count;
}

/**
 * Returns our device, creating it (id, identity key, signed prekey, prekeys)
 * on first use. Persisted before it is returned.
 */
export function ensureOwnDevice(store: OmemoStore, options: KeyOptions = {}): Promise<OwnDevice> {
  // Two concurrent first calls must not create two devices: they share one creation.
  let pending = creating.get(store);
  if (!pending) {
    pending = createOwnDevice(store, options).finally(() => creating.delete(store));
    creating.set(store, pending);
  }
  return pending;
}

const creating = new WeakMap<OmemoStore, Promise<OwnDevice>>();

async function createOwnDevice(store: OmemoStore, options: KeyOptions): Promise<OwnDevice> {
  const existing = await store.getOwnDevice();
  if (existing) return existing;
  const { lib } = await loadLibsignal();
  const identity = await lib.KeyHelper.generateIdentityKeyPair();
  const own: OwnDevice = {
    deviceId: generateDeviceId(options.takenDeviceIds),
    registrationId: lib.KeyHelper.generateRegistrationId(),
    identityKeyPair: {
      publicKey: new Uint8Array(identity.pubKey),
      privateKey: new Uint8Array(identity.privKey),
    },
    nextPreKeyId: 1,
    signedPreKeyId: 0,
    nextSignedPreKeyId: 1,
  };
  const signed = await generateSignedPreKey(own);
  own.signedPreKeyId = signed.id;
  own.nextSignedPreKeyId = signed.id + 1;
  // Prekeys first: the device exists for readers only once everything it advertises does.
  const preKeys = await generatePreKeys(own.nextPreKeyId, preKeyTarget(options), options);
  own.nextPreKeyId += preKeys.length;
  await store.storeSignedPreKey(signed);
  await store.storePreKeys(preKeys);
  await store.setOwnDevice(own);
  return own;
}

/** Generates `count` prekeys with ids from `firstId`, yielding between slices. */
export async function generatePreKeys(
  firstId: number,
  count: number,
  options: Pick<KeyOptions, "sliceMs" | "now"> = {},
): Promise<StoredPreKey[]> {
  if (firstId + count - 1 > MAX_ID) {
    throw new OmemoError("invalid", "prekey ids exhausted; this device must be replaced");
  }
  const { lib } = await loadLibsignal();
  const now = options.now ?? performance.now.bind(performance);
  const slice = options.sliceMs ?? 10;
  const preKeys: StoredPreKey[] = [];
  let sliceStart = now();
  for (let i = 0; i < count; i++) {
    const generated = await lib.KeyHelper.generatePreKey(firstId + i);
    preKeys.push({
      id: generated.keyId,
      publicKey: new Uint8Array(generated.keyPair.pubKey),
      privateKey: new Uint8Array(generated.keyPair.privKey),
    });
    // Promise continuations alone never let I/O run: a macrotask turn is needed.
    if (now() - sliceStart >= slice) {
      await yieldToLoop();
      sliceStart = now();
    }
  }
  return preKeys;
}

async function generateSignedPreKey(own: OwnDevice): Promise<StoredSignedPreKey> {
  const { lib } = await loadLibsignal();
  const id = own.nextSignedPreKeyId;
  if (id > MAX_ID) throw new OmemoError("invalid", "signed prekey ids exhausted");
  const signed = await lib.KeyHelper.generateSignedPreKey(
    {
      pubKey: own.identityKeyPair.publicKey.slice().buffer,
      privKey: own.identityKeyPair.privateKey.slice().buffer,
    },
    id,
  );
  await yieldToLoop();
  return {
    id,
    publicKey: new Uint8Array(signed.keyPair.pubKey),
    privateKey: new Uint8Array(signed.keyPair.privKey),
    signature: new Uint8Array(signed.signature),
    createdAt: Date.now(),
  };
}

/**
 * Tops the one-time prekeys back up to the target with fresh, never-used ids.
 * Returns how many were added (0: nothing to republish).
 */
export async function replenishPreKeys(
  store: OmemoStore,
  options: KeyOptions = {},
): Promise<number> {
  const own = await requireOwn(store);
  const missing = preKeyTarget(options) - (await store.listPreKeys()).length;
  if (missing <= 0) return 0;
  const preKeys = await generatePreKeys(own.nextPreKeyId, missing, options);
  await store.storePreKeys(preKeys);
  await store.setOwnDevice({ ...own, nextPreKeyId: own.nextPreKeyId + preKeys.length });
  return preKeys.length;
}

/**
 * Publishes a new signed prekey and drops older ones beyond `keep` previous
 * (their private keys still serve PreKey messages sent before the rotation).
 */
export async function rotateSignedPreKey(
  store: OmemoStore,
  options: KeyOptions & { keep?: number } = {},
): Promise<StoredSignedPreKey> {
  const own = await requireOwn(store);
  const signed = await generateSignedPreKey(own);
  await store.storeSignedPreKey(signed);
  await store.setOwnDevice({
    ...own,
    signedPreKeyId: signed.id,
    nextSignedPreKeyId: signed.id + 1,
  });
  const all = await store.listSignedPreKeys();
  const keep = options.keep ?? 1;
  for (const old of all
    .filter((k) => k.id !== signed.id)
    .slice(0, Math.max(0, all.length - 1 - keep))) {
    await store.removeSignedPreKey(old.id);
  }
  return signed;
}

/** Our bundle as it must be published: current signed prekey and every unused prekey. */
export async function ownBundle(store: OmemoStore): Promise<Bundle> {
  const own = await requireOwn(store);
  const signed = await store.getSignedPreKey(own.signedPreKeyId);
  if (!signed) throw new OmemoError("store", `signed prekey ${own.signedPreKeyId} is missing`);
  return {
    identityKey: own.identityKeyPair.publicKey,
    signedPreKey: { id: signed.id, publicKey: signed.publicKey, signature: signed.signature },
    preKeys: (await store.listPreKeys()).map((k) => ({ id: k.id, publicKey: k.publicKey })),
  };
}

async function requireOwn(store: OmemoStore): Promise<OwnDevice> {
  const own = await store.getOwnDevice();
  if (!own) throw new OmemoError("store", "no OMEMO device yet; call ensureOwnDevice first");
  return own;
}
