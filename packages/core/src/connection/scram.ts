/**
 * SCRAM (RFC 5802, RFC 7677) computed with node:crypto: PBKDF2 runs natively
 * off the event loop, so a login costs milliseconds instead of the ~1 s of
 * CPU that xmpp.js's pure-JS SCRAM-SHA-1 spends. The server signature is
 * verified (mutual authentication), which xmpp.js 0.14 skips.
 */
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from "node:crypto";
import { AuthError } from "../errors.js";
import { type OfferedAuth, verifySsdp } from "./ssdp.js";

/** Hash functions SCRAM is offered with. */
export type ScramHash = "sha1" | "sha256" | "sha512";

const KEY_LENGTH: Record<ScramHash, number> = { sha1: 20, sha256: 32, sha512: 64 };
const MIN_ITERATIONS = 1024;
const MAX_ITERATIONS = 1_000_000;

/** A derived key cache entry: avoids re-running PBKDF2 on every reconnect. */
interface Cached {
  key: string;
  salted: Buffer;
}

/** One SCRAM exchange. */
export class ScramSession {
  readonly #hash: ScramHash;
  readonly #username: string;
  readonly #password: string;
  readonly #nonce: string;
  readonly #gs2Header: string;
  readonly #binding: Buffer;
  #clientFirstBare = "";
  #expectedServerSignature: Buffer | undefined;
  readonly #offer: OfferedAuth | undefined;
  /** XEP-0474 outcome: `verified`, `absent` (server sent no hash), or `unchecked` (no offer given). */
  ssdp: "verified" | "absent" | "unchecked" = "unchecked";
  static #cache: Cached | undefined;

  /**
   * `channelBinding` turns this into SCRAM-…-PLUS (RFC 5802 §6): the TLS channel's binding data
   * is mixed into the proof, so a man in the middle with another TLS session cannot relay the login.
   * `nonce` is for test vectors only; by default 24 random bytes. `offer` is what the features
   * offered, checked against the server's XEP-0474 hash when it sends one.
   */
  constructor(
    hash: ScramHash,
    username: string,
    password: string,
    nonce: string = randomBytes(24).toString("base64url"),
    channelBinding?: { type: string; data: Buffer },
    offer?: OfferedAuth,
  ) {
    this.#offer = offer;
    this.#nonce = nonce;
    this.#gs2Header = channelBinding ? `p=${channelBinding.type},,` : "n,,";
    this.#binding = channelBinding?.data ?? Buffer.alloc(0);
    this.#hash = hash;
    this.#username = username;
    this.#password = password;
  }

  /** The client-first-message. */
  first(): string {
    this.#clientFirstBare = `n=${saslName(this.#username)},r=${this.#nonce}`;
    return this.#gs2Header + this.#clientFirstBare;
  }

  /** Answers the server-first-message with the client-final-message. */
  async final(serverFirst: string): Promise<string> {
    const attrs = parseAttributes(serverFirst);
    const nonce = attrs.get("r");
    const salt = attrs.get("s");
    const iterations = Number(attrs.get("i"));
    if (!nonce?.startsWith(this.#nonce) || nonce.length === this.#nonce.length) {
      throw new AuthError("server-nonce-mismatch", "the server's nonce does not extend ours");
    }
    if (!salt) throw new AuthError("malformed-challenge", "no salt in the server's challenge");
    if (
      !Number.isInteger(iterations) ||
      iterations < MIN_ITERATIONS ||
      iterations > MAX_ITERATIONS
    ) {
      throw new AuthError(
        "malformed-challenge",
        `iteration count ${attrs.get("i")} outside ${MIN_ITERATIONS}..${MAX_ITERATIONS}`,
      );
    }

    // Before any proof leaves: a tampered offer must not get a response.
    if (this.#offer) this.ssdp = verifySsdp(attrs.get("h"), this.#hash, this.#offer);

    const salted = await this.#saltedPassword(Buffer.from(salt, "base64"), iterations);
    const clientKey = hmac(this.#hash, salted, "Client Key");
    const storedKey = createHash(this.#hash).update(clientKey).digest();
    const cbind = Buffer.concat([Buffer.from(this.#gs2Header), this.#binding]).toString("base64");
    const withoutProof = `c=${cbind},r=${nonce}`;
    const authMessage = `${this.#clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = hmac(this.#hash, storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = (clientKey[i] ?? 0) ^ (signature[i] ?? 0);
    const serverKey = hmac(this.#hash, salted, "Server Key");
    this.#expectedServerSignature = hmac(this.#hash, serverKey, authMessage);
    return `${withoutProof},p=${proof.toString("base64")}`;
  }

  /** Checks the server-final-message (`v=`); throws when the server cannot prove it knows the key. */
  verify(serverFinal: string): void {
    const attrs = parseAttributes(serverFinal);
    const error = attrs.get("e");
    if (error) throw new AuthError(error, "server-final-message reported an error");
    const v = attrs.get("v");
    const expected = this.#expectedServerSignature;
    const actual = v ? Buffer.from(v, "base64") : Buffer.alloc(0);
    if (!expected || actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      throw new AuthError(
        "server-signature-mismatch",
        "the server could not prove it knows the password; possible impersonation",
      );
    }
  }

  async #saltedPassword(salt: Buffer, iterations: number): Promise<Buffer> {
    const key = `${this.#hash}:${this.#username}:${salt.toString("base64")}:${iterations}:${createHash("sha256").update(this.#password).digest("base64")}`;
    const cached = ScramSession.#cache;
    if (cached?.key === key) return cached.salted;
    const salted = await saltedPassword(this.#hash, this.#password, salt, iterations);
    ScramSession.#cache = { key, salted };
    return salted;
  }
}

/** SCRAM's SaltedPassword (RFC 5802 §3): PBKDF2 of the password; also what XEP-0480 upgrades send. */
export function saltedPassword(
  hash: ScramHash,
  password: string,
  salt: Buffer,
  iterations: number,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) =>
    pbkdf2(password.normalize("NFKC"), salt, iterations, KEY_LENGTH[hash], hash, (err, out) =>
      err ? reject(err) : resolve(out),
    ),
  );
}

function hmac(hash: ScramHash, key: Buffer, data: string): Buffer {
  return createHmac(hash, key).update(data).digest();
}

function saslName(name: string): string {
  return name.replace(/=/gu, "=3D").replace(/,/gu, "=2C");
}

function parseAttributes(message: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const part of message.split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) attrs.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return attrs;
}
