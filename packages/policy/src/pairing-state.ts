/**
 * The persisted pairing state and its schema. Stores hand back whatever they
 * read; the schema makes sure a tampered or truncated file is reported, not
 * half-trusted.
 */
import { tryParseJid } from "@clawxmpp/core";
import { z } from "zod";
import { PAIRING_ALPHABET, PAIRING_CODE_LENGTH } from "./pairing-code.js";

const codeSchema = z
  .string()
  .length(PAIRING_CODE_LENGTH)
  .refine((code) => [...code].every((c) => PAIRING_ALPHABET.includes(c)), "not a pairing code");
const timeSchema = z.number().int().min(0);
const bareSchema = z
  .string()
  .refine((jid) => tryParseJid(jid)?.bare === jid, "not a normalised bare JID");

/** Schema of {@link PairingState}, used to validate what a store loads. */
export const pairingStateSchema = z
  .object({
    version: z.literal(1),
    pending: z.array(
      z.object({ code: codeSchema, jid: bareSchema, createdAt: timeSchema, expiresAt: timeSchema }),
    ),
    approved: z.array(
      z.object({ jid: bareSchema, approvedAt: timeSchema, greeted: z.boolean().default(false) }),
    ),
    failures: z
      .object({ count: z.number().int().min(0), since: timeSchema, lockedUntil: timeSchema })
      .default({ count: 0, since: 0, lockedUntil: 0 }),
  })
  .strict();

/** A code issued to a sender and not yet approved. */
export interface PendingPairing {
  /** The code, upper case, 8 characters. */
  code: string;
  /** The sender's normalised bare JID. */
  jid: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds after which the code is void. */
  expiresAt: number;
}

/** A JID approved through pairing. */
export interface ApprovedPairing {
  /** Normalised bare JID. */
  jid: string;
  /** Epoch milliseconds. */
  approvedAt: number;
  /** Whether the bot has greeted the JID since approval. */
  greeted: boolean;
}

/** Everything a {@link PairingStore} persists. */
export interface PairingState {
  version: 1;
  pending: PendingPairing[];
  approved: ApprovedPairing[];
  /** Wrong approval attempts, for the guessing bound. */
  failures: { count: number; since: number; lockedUntil: number };
}

/** A fresh state: nobody pending, nobody approved. */
export function emptyPairingState(): PairingState {
  return {
    version: 1,
    pending: [],
    approved: [],
    failures: { count: 0, since: 0, lockedUntil: 0 },
  };
}
