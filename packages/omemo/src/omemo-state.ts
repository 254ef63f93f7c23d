/**
 * The plain-data form of an account's OMEMO state, held by the memory store
 * and written as JSON by the file store: byte strings as base64, peer
 * devices keyed `jid.deviceId`. Reading it back validates every field, so a
 * damaged file is reported instead of half-loaded.
 */
import { z } from "zod";
import { decodeBase64, encodeBase64 } from "./bytes.js";
import { OmemoError } from "./omemo-error.js";
import type { OwnDevice, StoredPreKey, StoredSignedPreKey, TrustState } from "./omemo-store.js";
import { MAX_ID } from "./wire-limits.js";

/** The in-memory state (decoded). */
export interface OmemoState {
  own: OwnDevice | undefined;
  preKeys: Map<number, StoredPreKey>;
  signedPreKeys: Map<number, StoredSignedPreKey>;
  sessions: Map<string, string>;
  identities: Map<string, Uint8Array>;
  trust: Map<string, TrustState>;
  /** OMEMO 2: our prekeys (JSON record) and sessions by `jid.deviceId`. */
  own2: string | undefined;
  sessions2: Map<string, string>;
}

/** An empty state. */
export function emptyState(): OmemoState {
  return {
    own: undefined,
    preKeys: new Map(),
    signedPreKeys: new Map(),
    sessions: new Map(),
    identities: new Map(),
    trust: new Map(),
    own2: undefined,
    sessions2: new Map(),
  };
}

const id = z.number().int().min(0).max(MAX_ID);
const b64 = z.string().max(4096);
const keyPair = z.object({ publicKey: b64, privateKey: b64 });
const fileSchema = z.object({
  version: z.literal(1),
  own: z
    .object({
      deviceId: id.min(1),
      registrationId: z.number().int().min(0).max(0xffff),
      identityKeyPair: keyPair,
      nextPreKeyId: id,
      signedPreKeyId: id,
      nextSignedPreKeyId: id,
    })
    .optional(),
  preKeys: z.array(keyPair.extend({ id })),
  signedPreKeys: z.array(keyPair.extend({ id, signature: b64, createdAt: z.number() })),
  sessions: z.record(z.string(), z.string()),
  identities: z.record(z.string(), b64),
  trust: z.record(z.string(), z.enum(["undecided", "trusted", "verified", "untrusted"])),
  // OMEMO 2, absent from files written before it.
  own2: z
    .string()
    .max(1024 * 1024)
    .optional(),
  sessions2: z.record(z.string(), z.string()).optional(),
});

type StateFile = z.infer<typeof fileSchema>;

const bytes = (text: string) => decodeBase64(text, 3072, "stored key");
const pair = (p: { publicKey: string; privateKey: string }) => ({
  publicKey: bytes(p.publicKey),
  privateKey: bytes(p.privateKey),
});
const pairText = (p: { publicKey: Uint8Array; privateKey: Uint8Array }) => ({
  publicKey: encodeBase64(p.publicKey),
  privateKey: encodeBase64(p.privateKey),
});

/** Serialises the state to JSON. */
export function serializeState(state: OmemoState): string {
  const file: StateFile = {
    version: 1,
    ...(state.own && {
      own: { ...state.own, identityKeyPair: pairText(state.own.identityKeyPair) },
    }),
    preKeys: [...state.preKeys.values()].map((k) => ({ id: k.id, ...pairText(k) })),
    signedPreKeys: [...state.signedPreKeys.values()].map((k) => ({
      id: k.id,
      ...pairText(k),
      signature: encodeBase64(k.signature),
      createdAt: k.createdAt,
    })),
    sessions: Object.fromEntries(state.sessions),
    identities: Object.fromEntries(
      [...state.identities].map(([address, key]) => [address, encodeBase64(key)]),
    ),
    trust: Object.fromEntries(state.trust),
    ...(state.own2 !== undefined && { own2: state.own2 }),
    sessions2: Object.fromEntries(state.sessions2),
  };
  return `${JSON.stringify(file)}\n`;
}

/** Parses JSON written by {@link serializeState}; anything else is a `store` error naming `source`. */
export function parseState(text: string, source: string): OmemoState {
  let file: StateFile;
  try {
    file = fileSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new OmemoError(
      "store",
      `${source} is not a valid OMEMO store (${error instanceof SyntaxError ? "not JSON" : "unexpected content"}); refusing to replace it — restore it from a backup or move it away to start a new device`,
      { cause: error },
    );
  }
  try {
    return {
      own: file.own && { ...file.own, identityKeyPair: pair(file.own.identityKeyPair) },
      preKeys: new Map(file.preKeys.map((k) => [k.id, { id: k.id, ...pair(k) }])),
      signedPreKeys: new Map(
        file.signedPreKeys.map((k) => [
          k.id,
          { id: k.id, ...pair(k), signature: bytes(k.signature), createdAt: k.createdAt },
        ]),
      ),
      sessions: new Map(Object.entries(file.sessions)),
      identities: new Map(Object.entries(file.identities).map(([a, k]) => [a, bytes(k)])),
      trust: new Map(Object.entries(file.trust)),
      own2: file.own2,
      sessions2: new Map(Object.entries(file.sessions2 ?? {})),
    };
  } catch (error) {
    throw new OmemoError("store", `${source} holds an invalid key: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
