/**
 * An OMEMO 2 session with one peer device (XEP-0384 0.8 § 4.3, § 4.4, § 4.5):
 * X3DH plus the Double Ratchet, and the key exchange bookkeeping around
 * them. The initiator wraps every message in an OMEMOKeyExchange
 * (`kex='true'`) until the peer has answered, so whichever message arrives
 * first builds the peer's session; a responder that receives the same key
 * exchange again keeps its session rather than building a second one.
 *
 * Sessions are plain state: not safe against interleaved use (serialise per
 * device with `KeyedQueue`, as the 0.3 sessions do) and persisted with
 * {@link OmemoSession2.toJSON} after every successful operation.
 */
import { OmemoError } from "../omemo-error.js";
import { DoubleRatchet, type RatchetOptions, type RatchetStateJson } from "./double-ratchet.js";
import type { IdentityKeyPair } from "./identity-key.js";
import { readHeader } from "./message-aead.js";
import { decodeKeyExchange, encodeKeyExchange, type OmemoKeyExchange } from "./messages.js";
import { type Bundle2, x3dhInitiate, x3dhRespond } from "./x3dh.js";

/** Key exchange data a session keeps (the OMEMOKeyExchange fields without the message). */
export type KeyExchangeInfo = Omit<OmemoKeyExchange, "message">;

/** Saved session (JSON-safe). */
export interface SessionStateJson {
  v: 1;
  initiation: "active" | "passive";
  confirmed: boolean;
  keyExchange: { pkId: number; spkId: number; ik: string; ek: string };
  associatedData: string;
  ratchet: RatchetStateJson;
}

/** Session options (skipped-key bounds, randomness); neither is saved with the state. */
export type SessionOptions = RatchetOptions;

/** What the responder must look up by the ids in an incoming key exchange. */
export interface ResponderKeyLookup {
  identity: IdentityKeyPair;
  /** X25519 private key of signed prekey `spkId`, or undefined when unknown (refused). */
  signedPreKey(spkId: number): Uint8Array | undefined;
  /** X25519 private key of one-time prekey `pkId`, or undefined when used up (refused). */
  preKey(pkId: number): Uint8Array | undefined;
}

/** An encrypted `<key>`: the bytes to base64 and whether to mark it `kex='true'`. */
export interface EncryptedKey2 {
  data: Uint8Array;
  kex: boolean;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "base64"));

/** One OMEMO 2 session. */
export class OmemoSession2 {
  readonly initiation: "active" | "passive";
  readonly keyExchange: KeyExchangeInfo;
  readonly associatedData: Uint8Array;
  readonly #ratchet: DoubleRatchet;
  #confirmed: boolean;

  private constructor(
    initiation: "active" | "passive",
    keyExchange: KeyExchangeInfo,
    associatedData: Uint8Array,
    ratchet: DoubleRatchet,
    confirmed: boolean,
  ) {
    this.initiation = initiation;
    this.keyExchange = keyExchange;
    this.associatedData = associatedData;
    this.#ratchet = ratchet;
    this.#confirmed = confirmed;
  }

  /** Builds a session from a peer's bundle (verifying its signed prekey). Encrypt with {@link encrypt}. */
  static initiate(
    identity: IdentityKeyPair,
    bundle: Bundle2,
    options: SessionOptions & { preKeyId?: number } = {},
  ): OmemoSession2 {
    const x3dh = x3dhInitiate(identity, bundle, options);
    const ratchet = DoubleRatchet.initiate(x3dh.sharedSecret, x3dh.signedPreKey.publicKey, options);
    return new OmemoSession2(
      "active",
      {
        pkId: x3dh.preKeyId,
        spkId: x3dh.signedPreKey.id,
        ik: identity.publicKey,
        ek: x3dh.ephemeralPublicKey,
      },
      x3dh.associatedData,
      ratchet,
      false,
    );
  }

  /**
   * Builds a session from an incoming OMEMOKeyExchange and decrypts the
   * message inside. The caller checks `keyExchange.ik` against the identity
   * it knows for the sender and then deletes the one-time prekey `pkId`.
   */
  static respond(
    keys: ResponderKeyLookup,
    keyExchangeBytes: Uint8Array,
    options: SessionOptions = {},
  ): { session: OmemoSession2; plaintext: Uint8Array } {
    const kex = decodeKeyExchange(keyExchangeBytes);
    const signedPreKeyPrivate = keys.signedPreKey(kex.spkId);
    if (!signedPreKeyPrivate) throw new OmemoError("no-key", `unknown signed prekey ${kex.spkId}`);
    const preKeyPrivate = keys.preKey(kex.pkId);
    if (!preKeyPrivate) throw new OmemoError("no-key", `unknown or used prekey ${kex.pkId}`);
    const { sharedSecret, associatedData } = x3dhRespond(
      { identity: keys.identity, signedPreKeyPrivate, preKeyPrivate },
      kex.ik,
      kex.ek,
    );
    const { header } = readHeader(kex.message);
    const ratchet = DoubleRatchet.respond(sharedSecret, signedPreKeyPrivate, header.dhPub, options);
    const plaintext = ratchet.decrypt(kex.message, associatedData);
    const { message: _message, ...info } = kex;
    return {
      session: new OmemoSession2("passive", info, associatedData, ratchet, false),
      plaintext,
    };
  }

  /** True when an incoming key exchange is the one this session was built from (a repeat, not a new session). */
  buildsSameSession(keyExchangeBytes: Uint8Array): boolean {
    const kex = decodeKeyExchange(keyExchangeBytes);
    return (
      this.initiation === "passive" &&
      kex.pkId === this.keyExchange.pkId &&
      kex.spkId === this.keyExchange.spkId &&
      Buffer.from(kex.ik).equals(this.keyExchange.ik) &&
      Buffer.from(kex.ek).equals(this.keyExchange.ek)
    );
  }

  /** Encrypts key material (48 bytes, or 32 for an empty message) for this device. */
  encrypt(keyMaterial: Uint8Array): EncryptedKey2 {
    const message = this.#ratchet.encrypt(keyMaterial, this.associatedData);
    if (this.initiation === "active" && !this.#confirmed) {
      return { data: encodeKeyExchange({ ...this.keyExchange, message }), kex: true };
    }
    return { data: message, kex: false };
  }

  /**
   * Decrypts a `<key>` of this session: an OMEMOAuthenticatedMessage, or, when
   * `kex`, an OMEMOKeyExchange that {@link buildsSameSession} (the caller
   * builds a new session with {@link respond} otherwise). A successful
   * decryption confirms an active session.
   */
  decrypt(data: Uint8Array, kex = false): Uint8Array {
    let message = data;
    if (kex) {
      if (!this.buildsSameSession(data)) {
        throw new OmemoError(
          "invalid",
          "this key exchange builds a different session; use OmemoSession2.respond",
        );
      }
      message = decodeKeyExchange(data).message;
    }
    const plaintext = this.#ratchet.decrypt(message, this.associatedData);
    this.#confirmed = true;
    return plaintext;
  }

  /** Whether the peer has answered (the initiator stops sending key exchanges then). */
  get confirmed(): boolean {
    return this.#confirmed;
  }

  /** Skipped message keys kept. */
  get skippedKeyCount(): number {
    return this.#ratchet.skippedKeyCount;
  }

  toJSON(): SessionStateJson {
    return {
      v: 1,
      initiation: this.initiation,
      confirmed: this.#confirmed,
      keyExchange: {
        pkId: this.keyExchange.pkId,
        spkId: this.keyExchange.spkId,
        ik: b64(this.keyExchange.ik),
        ek: b64(this.keyExchange.ek),
      },
      associatedData: b64(this.associatedData),
      ratchet: this.#ratchet.toJSON(),
    };
  }

  static fromJSON(json: SessionStateJson, options: SessionOptions = {}): OmemoSession2 {
    if (json?.v !== 1 || (json.initiation !== "active" && json.initiation !== "passive")) {
      throw new OmemoError("store", "unknown OMEMO 2 session state");
    }
    const associatedData = unb64(json.associatedData);
    if (associatedData.length !== 64)
      throw new OmemoError("store", "session associated data is not 64 bytes");
    return new OmemoSession2(
      json.initiation,
      {
        pkId: json.keyExchange.pkId,
        spkId: json.keyExchange.spkId,
        ik: unb64(json.keyExchange.ik),
        ek: unb64(json.keyExchange.ek),
      },
      associatedData,
      DoubleRatchet.fromJSON(json.ratchet, options),
      json.confirmed === true,
    );
  }
}
