/**
 * XEP-0484 (Fast Authentication Streamlining Tokens): after one password login
 * the server hands out a token; later logins (reconnects, restarts) prove
 * possession of it with one HT-SHA-256-* message (draft-schmaus-kitten-sasl-ht)
 * instead of a SCRAM exchange. The channel-bound variants (-EXPR tls-exporter,
 * -UNIQ tls-unique, -ENDP tls-server-end-point) mix the TLS channel into the
 * proof, so a token replayed through another TLS session is useless.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { AuthError } from "../errors.js";
import { parseJid } from "../jid.js";
import type { ChannelBindingSource, ChannelBindingType, MechanismSession } from "./sasl.js";

/** A FAST token as persisted between logins (and process restarts). */
export interface FastToken {
  /** The HT mechanism the token was issued for (servers bind tokens to it). */
  mechanism: string;
  /** The secret from the server's `<token token=…/>`. */
  token: string;
  /** ISO 8601 expiry the server announced, when it did. */
  expiry?: string | undefined;
  /** The XEP-0388 user-agent id the token belongs to (servers key tokens by it). */
  userAgentId: string;
  /** Logins made with the token so far (XEP-0484 `count`, a replay counter). */
  count: number;
}

/**
 * Where the FAST token lives between logins. `load` may return undefined (no token); a store
 * that throws or returns garbage is treated as holding no token (a password login follows).
 */
export interface FastTokenStore {
  load(): Promise<FastToken | undefined>;
  save(token: FastToken): Promise<void>;
  clear(): Promise<void>;
}

/** A store that keeps the token in memory (reconnects of one process only). */
export function memoryTokenStore(): FastTokenStore {
  let current: FastToken | undefined;
  return {
    load: async () => current,
    save: async (token) => {
      current = { ...token };
    },
    clear: async () => {
      current = undefined;
    },
  };
}

const BINDING_OF: Record<string, ChannelBindingType | undefined> = {
  "HT-SHA-256-EXPR": "tls-exporter",
  "HT-SHA-256-UNIQ": "tls-unique",
  "HT-SHA-256-ENDP": "tls-server-end-point",
  "HT-SHA-256-NONE": undefined,
};
/** Channel-bound first; -NONE only when no binding is possible. */
const HT_PREFERENCE = ["HT-SHA-256-EXPR", "HT-SHA-256-UNIQ", "HT-SHA-256-ENDP", "HT-SHA-256-NONE"];

/** Whether `mechanism` is an HT mechanism this client can run on the stream now. */
export function htUsable(
  mechanism: string,
  secure: boolean,
  channelBinding: ChannelBindingSource | undefined,
): boolean {
  if (!(mechanism in BINDING_OF)) return false;
  const type = BINDING_OF[mechanism];
  if (type === undefined) return secure;
  return secure && channelBinding?.(type) !== undefined;
}

/** The strongest offered HT mechanism usable on this stream, to request a token for. */
export function chooseHtMechanism(
  offered: readonly string[],
  secure: boolean,
  channelBinding: ChannelBindingSource | undefined,
): string | undefined {
  return HT_PREFERENCE.find(
    (name) => offered.includes(name) && htUsable(name, secure, channelBinding),
  );
}

/** One HT-SHA-256-* exchange with `token`: initial response = authcid NUL HMAC(token, "Initiator" ‖ cb). */
export function htMechanism(
  token: FastToken,
  jid: string,
  channelBinding: ChannelBindingSource | undefined,
): MechanismSession {
  const type = BINDING_OF[token.mechanism];
  const cb = type === undefined ? Buffer.alloc(0) : channelBinding?.(type);
  if (!cb) throw new AuthError("no-acceptable-mechanism", `cannot bind ${token.mechanism} here`);
  const key = Buffer.from(token.token, "utf8");
  const mac = (label: string) =>
    createHmac("sha256", key)
      .update(Buffer.concat([Buffer.from(label, "utf8"), cb]))
      .digest();
  const username = parseJid(jid).local ?? "";
  return {
    name: token.mechanism,
    channelBinding: type,
    initial: () => Buffer.concat([Buffer.from(`${username}\0`, "utf8"), mac("Initiator")]),
    respond: () => {
      throw new AuthError("malformed-request", "unexpected challenge during FAST login");
    },
    finish: (data) => {
      // Mutual authentication: the server proves it knows the token too.
      const expected = mac("Responder");
      if (!data || data.length !== expected.length || !timingSafeEqual(data, expected)) {
        throw new AuthError(
          "server-signature-mismatch",
          "the server could not prove it knows the FAST token; possible impersonation",
        );
      }
    },
  };
}

/** Checks that `value` looks like a stored token (a store's content is not trusted). */
export function isFastToken(value: unknown): value is FastToken {
  if (typeof value !== "object" || value === null) return false;
  const t = value as Record<string, unknown>;
  return (
    typeof t.mechanism === "string" &&
    t.mechanism in BINDING_OF &&
    typeof t.token === "string" &&
    t.token.length > 0 &&
    t.token.length <= 4096 &&
    typeof t.userAgentId === "string" &&
    t.userAgentId.length > 0 &&
    typeof t.count === "number" &&
    Number.isInteger(t.count) &&
    t.count >= 0 &&
    (t.expiry === undefined || typeof t.expiry === "string")
  );
}
