import { describe, expect, it } from "vitest";
import { randomStanzaId } from "./stanza-id.js";

describe("randomStanzaId", () => {
  it("gives 16 base64url characters", () => {
    for (let i = 0; i < 600; i++) expect(randomStanzaId()).toMatch(/^[A-Za-z0-9_-]{16}$/u);
  });

  it("never repeats across several refills of its pool", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) seen.add(randomStanzaId());
    expect(seen.size).toBe(5_000);
  });

  it("is not a counter: consecutive ids share no long prefix", () => {
    const a = randomStanzaId();
    const b = randomStanzaId();
    let common = 0;
    while (common < a.length && a[common] === b[common]) common++;
    // Two random ids share 4+ leading characters with probability 2^-24.
    expect(common).toBeLessThan(4);
  });
});
