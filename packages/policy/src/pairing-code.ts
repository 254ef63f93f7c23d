/**
 * Pairing codes: 8 characters drawn with `crypto.randomInt` (uniform, no
 * modulo bias) from an alphabet without look-alikes (no 0/O, 1/I/L), so a
 * code read aloud or retyped from a phone is unambiguous. 31^8 ≈ 8.5·10^11.
 */
import { randomInt } from "node:crypto";

/** The 31 characters codes are drawn from: A–Z without I, L, O, and 2–9. */
export const PAIRING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/** Length of a pairing code. */
export const PAIRING_CODE_LENGTH = 8;

/** A source of uniform random integers in `[0, max)`; `crypto.randomInt` by default. */
export type RandomInt = (max: number) => number;

/** Generates a fresh pairing code. */
export function generatePairingCode(random: RandomInt = randomInt): string {
  let code = "";
  for (let i = 0; i < PAIRING_CODE_LENGTH; i++) {
    code += PAIRING_ALPHABET[random(PAIRING_ALPHABET.length)];
  }
  return code;
}

/**
 * Normalises what a person typed: upper-cases, drops spaces and dashes.
 * Returns `undefined` when the result cannot be a code.
 */
export function normalisePairingCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/gu, "");
  if (code.length !== PAIRING_CODE_LENGTH) return undefined;
  for (const char of code) if (!PAIRING_ALPHABET.includes(char)) return undefined;
  return code;
}
