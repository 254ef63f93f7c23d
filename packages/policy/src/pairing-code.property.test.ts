import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  generatePairingCode,
  normalisePairingCode,
  PAIRING_ALPHABET,
  PAIRING_CODE_LENGTH,
} from "./pairing-code.js";

describe("pairing code generator", () => {
  it("uses 31 unambiguous characters: no 0, O, 1, I or L", () => {
    expect(PAIRING_ALPHABET).toHaveLength(31);
    expect(new Set(PAIRING_ALPHABET).size).toBe(31);
    for (const c of "0O1IL") expect(PAIRING_ALPHABET).not.toContain(c);
  });

  it("always yields 8 characters from the alphabet (crypto.randomInt)", () => {
    for (let i = 0; i < 2_000; i++) {
      const code = generatePairingCode();
      expect(code).toMatch(/^[A-HJKMNP-Z2-9]{8}$/u);
    }
  });

  it("maps any random source's values to alphabet characters, position by position", () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 30 }), { minLength: 8, maxLength: 8 }), (values) => {
        let i = 0;
        const code = generatePairingCode((max) => {
          expect(max).toBe(PAIRING_ALPHABET.length);
          return values[i++]!;
        });
        expect(code).toBe(values.map((v) => PAIRING_ALPHABET[v]).join(""));
        expect(i).toBe(PAIRING_CODE_LENGTH);
      }),
    );
  });

  it("is roughly uniform over the alphabet", () => {
    const counts = new Map<string, number>();
    const draws = 4_000;
    for (let i = 0; i < draws; i++) {
      for (const c of generatePairingCode()) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const expected = (draws * 8) / 31;
    for (const c of PAIRING_ALPHABET) {
      // ±25 % of ~1032 is > 8 standard deviations: a flake is practically impossible.
      expect(counts.get(c) ?? 0).toBeGreaterThan(expected * 0.75);
      expect(counts.get(c) ?? 0).toBeLessThan(expected * 1.25);
    }
  });

  it("does not repeat within 20 000 codes", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(generatePairingCode());
    expect(seen.size).toBe(20_000);
  });

  it("normalisation accepts what a person types: case, spaces and dashes", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...PAIRING_ALPHABET), minLength: 8, maxLength: 8 }),
        fc.boolean(),
        (code, dashed) => {
          const typed = dashed ? `${code.slice(0, 4)}-${code.slice(4)}` : ` ${code.toLowerCase()} `;
          expect(normalisePairingCode(typed)).toBe(code);
        },
      ),
    );
  });

  it("normalisation rejects anything that cannot be a code", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (input) => {
        const code = normalisePairingCode(input);
        if (code !== undefined) {
          expect(code).toHaveLength(8);
          for (const c of code) expect(PAIRING_ALPHABET).toContain(c);
        }
      }),
      { numRuns: 1_000 },
    );
    for (const bad of [
      "",
      "ABCDEFG",
      "ABCDEFGHJ",
      "ABCDEFG0",
      "ABCDEFGO",
      "ABCDEFG1",
      "ABCDEFGI",
      "ABCDEFGL",
    ]) {
      expect(normalisePairingCode(bad), bad).toBeUndefined();
    }
  });
});
