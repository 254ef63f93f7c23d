/**
 * What OMEMO must remember per account (B8): our device id, identity key,
 * signed and one-time prekeys with the counters that keep their ids
 * monotonic, and per peer device the Signal session, the identity key seen
 * and our trust decision. Implementations: {@link MemoryOmemoStore} and the
 * JSON file store; anything else (a database) implements this interface.
 *
 * Every method is async so a store may do I/O; a write resolves once the
 * change is durable, so a session update is never acknowledged before it is
 * saved (a lost update means Bad MAC on the next message).
 */
import type { DeviceAddress } from "./device-address.js";

/** A Curve25519 key pair; `publicKey` is libsignal's 33-byte form, `privateKey` 32 bytes. */
export interface StoredKeyPair {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

/** Our own device. */
export interface OwnDevice {
  /** OMEMO device id, 1..2^31−1. */
  deviceId: number;
  /** libsignal registration id (14-bit; carried in PreKeySignalMessages, not the device id). */
  registrationId: number;
  identityKeyPair: StoredKeyPair;
  /** Next one-time prekey id: ids only grow, so a late message never meets a reused id. */
  nextPreKeyId: number;
  /** Id of the signed prekey currently published. */
  signedPreKeyId: number;
  /** Next signed prekey id (monotonic too). */
  nextSignedPreKeyId: number;
}

/** A signed prekey with its signature and creation time (for rotation). */
export interface StoredSignedPreKey extends StoredKeyPair {
  id: number;
  signature: Uint8Array;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/** A one-time prekey. */
export interface StoredPreKey extends StoredKeyPair {
  id: number;
}

/**
 * Trust in a peer device's identity key (the clients' states, B7):
 * `undecided` not yet decided, `trusted` blindly trusted (BTBV),
 * `verified` fingerprint checked by the operator, `untrusted` refused.
 */
export type TrustState = "undecided" | "trusted" | "verified" | "untrusted";

/** Persistent OMEMO state of one account. */
export interface OmemoStore {
  getOwnDevice(): Promise<OwnDevice | undefined>;
  setOwnDevice(device: OwnDevice): Promise<void>;

  getPreKey(id: number): Promise<StoredPreKey | undefined>;
  /** All one-time prekeys we still hold (what the bundle advertises). */
  listPreKeys(): Promise<StoredPreKey[]>;
  storePreKeys(preKeys: readonly StoredPreKey[]): Promise<void>;
  removePreKey(id: number): Promise<void>;

  getSignedPreKey(id: number): Promise<StoredSignedPreKey | undefined>;
  listSignedPreKeys(): Promise<StoredSignedPreKey[]>;
  storeSignedPreKey(signedPreKey: StoredSignedPreKey): Promise<void>;
  removeSignedPreKey(id: number): Promise<void>;

  /** The libsignal session record (a JSON string) for a peer device. */
  getSession(address: DeviceAddress): Promise<string | undefined>;
  storeSession(address: DeviceAddress, record: string): Promise<void>;
  removeSession(address: DeviceAddress): Promise<void>;

  /** The identity key (33 bytes) last seen for a peer device. */
  getIdentity(address: DeviceAddress): Promise<Uint8Array | undefined>;
  storeIdentity(address: DeviceAddress, identityKey: Uint8Array): Promise<void>;

  getTrust(address: DeviceAddress): Promise<TrustState | undefined>;
  setTrust(address: DeviceAddress, trust: TrustState): Promise<void>;

  // OMEMO 2 (`urn:xmpp:omemo:2`). Optional so stores written for 0.3 keep working: without them the
  // OMEMO 2 prekeys and sessions live in memory only (a restart republishes the bundle and heals).
  // Identity keys and trust are shared with 0.3 (OMEMO 2 keys are recorded in their 0.3 form).

  /** Our OMEMO 2 prekeys and signed prekeys: an opaque JSON record, validated when read. */
  getOwnDevice2?(): Promise<string | undefined>;
  setOwnDevice2?(record: string): Promise<void>;
  /** The OMEMO 2 session (an opaque JSON record) with a peer device. */
  getSession2?(address: DeviceAddress): Promise<string | undefined>;
  storeSession2?(address: DeviceAddress, record: string): Promise<void>;
  removeSession2?(address: DeviceAddress): Promise<void>;
}
