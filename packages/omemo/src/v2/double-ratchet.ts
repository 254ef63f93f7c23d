/**
 * The Double Ratchet of OMEMO 2 (XEP-0384 0.8 § 7.2; Signal's Double Ratchet
 * spec § 3): X25519 DH ratchet; root KDF = HKDF-SHA-256(salt = root key,
 * ikm = DH output, info "OMEMO Root Chain") → new root key ‖ chain key;
 * chain KDF = HMAC-SHA-256(chain key, 0x01) as message key and
 * HMAC-SHA-256(chain key, 0x02) as next chain key.
 *
 * Decryption works on a copy and commits only after the MAC verified, so a
 * forged or replayed message never changes the state. Skipped message keys
 * are bounded twice: at most `maxSkipPerMessage` derived for one message
 * (more is refused; for the previous chain they are not derived, as the
 * python reference does) and at most `maxSkippedKeys` kept (oldest dropped).
 * A message number below the receiving chain with no stored key is a replay.
 */
import { nativeAgreement, nativePublicKey } from "../native-curve.js";
import { OmemoError } from "../omemo-error.js";
import { openMessage, type RatchetHeader, readHeader, sealMessage } from "./message-aead.js";
import { hkdf, hmac, INFO_ROOT_CHAIN, type RandomSource, secureRandom } from "./primitives.js";

/** Bounds on skipped message keys. */
export interface RatchetLimits {
  /** Keys derived for one incoming message (a larger jump is refused). Python's default is 1000. */
  maxSkipPerMessage: number;
  /** Keys kept per session; the oldest go first. */
  maxSkippedKeys: number;
}

/** Defaults equal to python-twomemo's, so no message it accepts is refused here. */
export const DEFAULT_RATCHET_LIMITS: Readonly<RatchetLimits> = Object.freeze({
  maxSkipPerMessage: 1000,
  maxSkippedKeys: 1000,
});

/** Ratchet options; neither is saved with the state. */
export interface RatchetOptions {
  limits?: RatchetLimits;
  /** Randomness for new ratchet keys (tests replay known vectors). */
  random?: RandomSource;
}

interface Chain {
  key: Uint8Array;
  length: number;
}

/** Serialisable ratchet state (base64 fields), stable across versions of this package. */
export interface RatchetStateJson {
  v: 1;
  rootKey: string;
  ownPrivate: string;
  otherPublic: string;
  sending: { key: string; length: number };
  receiving: { key: string; length: number } | null;
  previousSendingLength: number;
  /** [ratchet public key, message number, message key], oldest first. */
  skipped: [string, number, string][];
}

const MESSAGE_KEY_CONSTANT = new Uint8Array([0x01]);
const CHAIN_KEY_CONSTANT = new Uint8Array([0x02]);

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "base64"));

function stepChain(chain: Chain): Uint8Array {
  const messageKey = hmac(chain.key, MESSAGE_KEY_CONSTANT);
  chain.key = hmac(chain.key, CHAIN_KEY_CONSTANT);
  chain.length += 1;
  return messageKey;
}

function skippedId(dhPub: Uint8Array, n: number): string {
  return `${b64(dhPub)}:${n}`;
}

/** One Double Ratchet session's cryptographic state. */
export class DoubleRatchet {
  #rootKey: Uint8Array;
  #ownPrivate: Uint8Array;
  #ownPublic: Uint8Array;
  #otherPublic: Uint8Array;
  #sending: Chain;
  #receiving: Chain | undefined;
  #previousSendingLength: number;
  #skipped: Map<string, Uint8Array>;
  readonly #limits: RatchetLimits;
  readonly #random: RandomSource;

  private constructor(
    state: {
      rootKey: Uint8Array;
      ownPrivate: Uint8Array;
      otherPublic: Uint8Array;
      sending: Chain;
      receiving: Chain | undefined;
      previousSendingLength: number;
      skipped: Map<string, Uint8Array>;
    },
    limits: RatchetLimits,
    random: RandomSource,
  ) {
    this.#rootKey = state.rootKey;
    this.#ownPrivate = state.ownPrivate;
    this.#ownPublic = nativePublicKey(state.ownPrivate).pubKey;
    this.#otherPublic = state.otherPublic;
    this.#sending = state.sending;
    this.#receiving = state.receiving;
    this.#previousSendingLength = state.previousSendingLength;
    this.#skipped = state.skipped;
    this.#limits = limits;
    this.#random = random;
  }

  /** Root KDF step with DH(own, other): returns the new chain key. */
  #rootStep(): Uint8Array {
    let dh: Uint8Array;
    try {
      dh = nativeAgreement(this.#otherPublic, this.#ownPrivate);
    } catch (error) {
      throw new OmemoError("malformed", "ratchet key is invalid or low-order", { cause: error });
    }
    const out = hkdf(dh, INFO_ROOT_CHAIN, 64, this.#rootKey);
    this.#rootKey = out.slice(0, 32);
    return out.slice(32, 64);
  }

  #newSendingChain(): void {
    this.#ownPrivate = this.#random(32);
    this.#ownPublic = nativePublicKey(this.#ownPrivate).pubKey;
    this.#previousSendingLength = this.#sending.length;
    this.#sending = { key: this.#rootStep(), length: 0 };
  }

  /** A ratchet before its first root step: only the root key and the two DH keys. */
  static #start(
    sharedSecret: Uint8Array,
    ownPrivate: Uint8Array,
    otherPublic: Uint8Array,
    options: RatchetOptions,
  ): DoubleRatchet {
    return new DoubleRatchet(
      {
        rootKey: checkSecret(sharedSecret),
        ownPrivate,
        otherPublic,
        sending: { key: new Uint8Array(32), length: 0 },
        receiving: undefined,
        previousSendingLength: 0,
        skipped: new Map(),
      },
      checkLimits(options.limits ?? DEFAULT_RATCHET_LIMITS),
      options.random ?? secureRandom,
    );
  }

  /** The initiator's ratchet, from the X3DH secret and the responder's signed prekey. */
  static initiate(
    sharedSecret: Uint8Array,
    peerSignedPreKey: Uint8Array,
    options: RatchetOptions = {},
  ): DoubleRatchet {
    const ownPrivate = (options.random ?? secureRandom)(32);
    const ratchet = DoubleRatchet.#start(sharedSecret, ownPrivate, peerSignedPreKey, options);
    ratchet.#sending = { key: ratchet.#rootStep(), length: 0 };
    return ratchet;
  }

  /**
   * The responder's ratchet, from the X3DH secret, our signed prekey and the
   * first message's ratchet key. The first message is then decrypted with {@link decrypt}.
   */
  static respond(
    sharedSecret: Uint8Array,
    signedPreKeyPrivate: Uint8Array,
    peerRatchetKey: Uint8Array,
    options: RatchetOptions = {},
  ): DoubleRatchet {
    const ratchet = DoubleRatchet.#start(
      sharedSecret,
      signedPreKeyPrivate,
      peerRatchetKey,
      options,
    );
    ratchet.#receiving = { key: ratchet.#rootStep(), length: 0 };
    ratchet.#newSendingChain();
    ratchet.#previousSendingLength = 0;
    return ratchet;
  }

  /** Encrypts one message; returns a serialised OMEMOAuthenticatedMessage. */
  encrypt(plaintext: Uint8Array, associatedData: Uint8Array): Uint8Array {
    const header: RatchetHeader = {
      n: this.#sending.length,
      pn: this.#previousSendingLength,
      dhPub: this.#ownPublic,
    };
    return sealMessage(stepChain(this.#sending), header, plaintext, associatedData);
  }

  /** Decrypts a serialised OMEMOAuthenticatedMessage; the state changes only on success. */
  decrypt(authenticated: Uint8Array, associatedData: Uint8Array): Uint8Array {
    const parsed = readHeader(authenticated);
    const { header } = parsed;
    const id = skippedId(header.dhPub, header.n);
    const stored = this.#skipped.get(id);
    if (stored) {
      const plaintext = openMessage(stored, parsed, associatedData);
      this.#skipped.delete(id);
      return plaintext;
    }
    const next = this.#clone();
    const { messageKey, skipped } = next.#nextDecryptionKey(header);
    const plaintext = openMessage(messageKey, parsed, associatedData);
    this.#adopt(next);
    for (const [key, value] of skipped) this.#skipped.set(key, value);
    while (this.#skipped.size > this.#limits.maxSkippedKeys) {
      const oldest = this.#skipped.keys().next().value as string;
      this.#skipped.delete(oldest);
    }
    return plaintext;
  }

  #nextDecryptionKey(header: RatchetHeader): {
    messageKey: Uint8Array;
    skipped: [string, Uint8Array][];
  } {
    const skipped: [string, Uint8Array][] = [];
    if (!Buffer.from(header.dhPub).equals(this.#otherPublic)) {
      const receiving = this.#receiving;
      if (receiving) {
        const gap = Math.max(header.pn - receiving.length, 0);
        // Beyond the bound the old chain's keys are given up, not derived (python does the same).
        if (gap <= this.#limits.maxSkipPerMessage) {
          for (let i = 0; i < gap; i++) {
            const n = receiving.length;
            skipped.push([skippedId(this.#otherPublic, n), stepChain(receiving)]);
          }
        }
      }
      this.#otherPublic = new Uint8Array(header.dhPub);
      this.#receiving = { key: this.#rootStep(), length: 0 };
      this.#newSendingChain();
    }
    const receiving = this.#receiving;
    if (!receiving) throw new OmemoError("no-session", "no receiving chain");
    const gap = header.n - receiving.length;
    if (gap > this.#limits.maxSkipPerMessage) {
      throw new OmemoError(
        "too-large",
        `message ${header.n} skips ${gap} keys (limit ${this.#limits.maxSkipPerMessage})`,
      );
    }
    if (gap < 0) throw new OmemoError("duplicate", `message ${header.n} was already decrypted`);
    for (let i = 0; i < gap; i++) {
      const n = receiving.length;
      skipped.push([skippedId(this.#otherPublic, n), stepChain(receiving)]);
    }
    return { messageKey: stepChain(receiving), skipped };
  }

  #clone(): DoubleRatchet {
    return DoubleRatchet.fromJSON(this.toJSON(), { limits: this.#limits, random: this.#random });
  }

  #adopt(other: DoubleRatchet): void {
    this.#rootKey = other.#rootKey;
    this.#ownPrivate = other.#ownPrivate;
    this.#ownPublic = other.#ownPublic;
    this.#otherPublic = other.#otherPublic;
    this.#sending = other.#sending;
    this.#receiving = other.#receiving;
    this.#previousSendingLength = other.#previousSendingLength;
  }

  /** Messages sent in the current sending chain. */
  get sendingChainLength(): number {
    return this.#sending.length;
  }

  /** Skipped message keys currently kept. */
  get skippedKeyCount(): number {
    return this.#skipped.size;
  }

  /** The state as JSON (secrets included: store it as carefully as the identity key). */
  toJSON(): RatchetStateJson {
    return {
      v: 1,
      rootKey: b64(this.#rootKey),
      ownPrivate: b64(this.#ownPrivate),
      otherPublic: b64(this.#otherPublic),
      sending: { key: b64(this.#sending.key), length: this.#sending.length },
      receiving: this.#receiving
        ? { key: b64(this.#receiving.key), length: this.#receiving.length }
        : null,
      previousSendingLength: this.#previousSendingLength,
      skipped: [...this.#skipped].map(([id, key]) => {
        const [pub = "", n = "0"] = id.split(":");
        return [pub, Number(n), b64(key)];
      }),
    };
  }

  /** Restores a state saved by {@link toJSON}. */
  static fromJSON(json: RatchetStateJson, options: RatchetOptions = {}): DoubleRatchet {
    if (json?.v !== 1) throw new OmemoError("store", "unknown ratchet state version");
    const key32 = (text: string, what: string): Uint8Array => {
      const bytes = unb64(text);
      if (bytes.length !== 32)
        throw new OmemoError("store", `ratchet state: ${what} is not 32 bytes`);
      return bytes;
    };
    return new DoubleRatchet(
      {
        rootKey: key32(json.rootKey, "root key"),
        ownPrivate: key32(json.ownPrivate, "own ratchet key"),
        otherPublic: key32(json.otherPublic, "peer ratchet key"),
        sending: { key: key32(json.sending.key, "sending chain"), length: json.sending.length },
        receiving: json.receiving
          ? { key: key32(json.receiving.key, "receiving chain"), length: json.receiving.length }
          : undefined,
        previousSendingLength: json.previousSendingLength,
        skipped: new Map(
          json.skipped.map(([pub, n, key]) => [`${pub}:${n}`, key32(key, "skipped key")] as const),
        ),
      },
      checkLimits(options.limits ?? DEFAULT_RATCHET_LIMITS),
      options.random ?? secureRandom,
    );
  }
}

function checkSecret(secret: Uint8Array): Uint8Array {
  if (secret.length !== 32) throw new OmemoError("invalid", "the shared secret is 32 bytes");
  return new Uint8Array(secret);
}

function checkLimits(limits: RatchetLimits): RatchetLimits {
  const { maxSkipPerMessage, maxSkippedKeys } = limits;
  if (
    !Number.isInteger(maxSkipPerMessage) ||
    !Number.isInteger(maxSkippedKeys) ||
    maxSkipPerMessage < 0 ||
    maxSkipPerMessage > maxSkippedKeys
  ) {
    throw new OmemoError(
      "invalid",
      "ratchet limits: need 0 ≤ maxSkipPerMessage ≤ maxSkippedKeys, integers",
    );
  }
  return limits;
}
