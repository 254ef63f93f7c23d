/**
 * Property tests of core's JID parsing (RFC 7622), the one function every
 * policy decision goes through.
 */
import { domainToASCII } from "node:url";
import { JidError, parseJid, tryParseJid } from "@clawxmpp/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const lower = "abcdefghijklmnopqrstuvwxyz";
const localChars = fc.constantFrom(...`${lower}${lower.toUpperCase()}0123456789._-+!#$%*=?^~`);
const local = fc.string({ unit: localChars, minLength: 1, maxLength: 30 });
const labelChars = fc.constantFrom(...`${lower}${lower.toUpperCase()}0123456789`);
const label = fc.string({ unit: labelChars, minLength: 1, maxLength: 20 });
const domain = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join("."));
// Resources are free-form (OpaqueString): any printable text, including '/', '@' and upper case.
const resource = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 40 })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what resources may not hold
  .filter((r) => !/[\u0000-\u001f\u007f-\u009f]/u.test(r));
const asciiJid = fc
  .tuple(fc.option(local, { nil: undefined }), domain, fc.option(resource, { nil: undefined }))
  .map(([l, d, r]) => `${l === undefined ? "" : `${l}@`}${d}${r === undefined ? "" : `/${r}`}`);

const unicodeLocal = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 12 })
  .filter((s) => tryParseJid(`${s}@example.com`) !== undefined);
const unicodeLabel = fc
  .string({ unit: fc.constantFrom(..."abcdeéüößçñжзиλμπ中文日本"), minLength: 1, maxLength: 10 })
  .filter((s) => domainToASCII(`${s}.example`) !== "");

describe("core parseJid: properties", () => {
  it("is idempotent: parse(parse(x).full).full === parse(x).full", () => {
    fc.assert(
      fc.property(asciiJid, (input) => {
        const once = parseJid(input);
        const twice = parseJid(once.full);
        expect(twice.full).toBe(once.full);
        expect(twice.bare).toBe(once.bare);
      }),
      { numRuns: 500 },
    );
  });

  it("is idempotent for arbitrary Unicode local parts and IDN domains", () => {
    fc.assert(
      fc.property(unicodeLocal, unicodeLabel, (l, d) => {
        const once = parseJid(`${l}@${d}.example`);
        expect(parseJid(once.full).full).toBe(once.full);
      }),
      { numRuns: 500 },
    );
  });

  it("ignores case in the local part and the domain", () => {
    fc.assert(
      fc.property(local, domain, (l, d) => {
        const a = parseJid(`${l.toUpperCase()}@${d.toUpperCase()}`);
        const b = parseJid(`${l.toLowerCase()}@${d.toLowerCase()}`);
        expect(a.bare).toBe(b.bare);
        expect(a.local).toBe(l.toLowerCase());
        expect(a.domain).toBe(d.toLowerCase());
      }),
      { numRuns: 300 },
    );
  });

  it("keeps the resource exactly as given", () => {
    fc.assert(
      fc.property(local, domain, resource, (l, d, r) => {
        const jid = parseJid(`${l}@${d}/${r}`);
        expect(jid.resource).toBe(r);
        expect(jid.full.endsWith(`/${r}`)).toBe(true);
        expect(jid.bare).not.toContain("/");
      }),
      { numRuns: 300 },
    );
  });

  it("treats an IDN domain and its punycode (A-label) form as the same domain", () => {
    fc.assert(
      fc.property(local, unicodeLabel, (l, d) => {
        const unicode = `${d}.example`;
        const ascii = domainToASCII(unicode);
        expect(parseJid(`${l}@${ascii}`).bare).toBe(parseJid(`${l}@${unicode}`).bare);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects forbidden characters in the local part with a JidError", () => {
    const forbidden = fc.constantFrom('"', "&", "'", ":", "<", ">", " ", "\t", "\u0000", "\u007f");
    fc.assert(
      fc.property(local, forbidden, fc.nat(), domain, (l, bad, at, d) => {
        const i = at % (l.length + 1);
        const input = `${l.slice(0, i)}${bad}${l.slice(i)}@${d}`;
        expect(() => parseJid(input)).toThrow(JidError);
        expect(tryParseJid(input)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("rejects control characters in the resource and empty parts", () => {
    fc.assert(
      fc.property(local, domain, fc.integer({ min: 0, max: 0x1f }), (l, d, code) => {
        expect(() => parseJid(`${l}@${d}/a${String.fromCharCode(code)}b`)).toThrow(JidError);
      }),
    );
    for (const bad of ["", "@example.com", "alice@", "alice@example.com/", "a@b@c", "/res"]) {
      expect(() => parseJid(bad), bad).toThrow(JidError);
    }
  });

  it("never throws anything but a JidError, and tryParseJid never throws", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (input) => {
        try {
          const jid = parseJid(input);
          expect(parseJid(jid.full).full).toBe(jid.full);
        } catch (error) {
          expect(error).toBeInstanceOf(JidError);
        }
        expect(() => tryParseJid(input)).not.toThrow();
      }),
      { numRuns: 1_000 },
    );
  });

  it("applies NFKC to the local part (compatibility forms are one user)", () => {
    expect(parseJid("ＡＬＩＣＥ@example.com").bare).toBe("alice@example.com");
    expect(parseJid("\u212Aate@example.com").bare).toBe("kate@example.com"); // Kelvin sign
    expect(() => parseJid("a＠b@example.com")).toThrow(JidError); // fullwidth @ folds to '@'
  });

  it("bounds each part to 1023 bytes", () => {
    expect(() => parseJid(`${"a".repeat(1024)}@example.com`)).toThrow(JidError);
    expect(parseJid(`${"a".repeat(1023)}@example.com`).local).toHaveLength(1023);
    expect(() => parseJid(`a@example.com/${"r".repeat(1024)}`)).toThrow(JidError);
  });

  // Regressions: URL host parsing once percent-decoded domains and folded IPv4 shorthands.
  describe("domains are not parsed as URL hosts", () => {
    it("does not percent-decode the domain (alice@ex%41mple.com is not alice@example.com)", () => {
      expect(tryParseJid("alice@ex%41mple.com")?.bare).not.toBe("alice@example.com");
    });
    it("does not fold numeric IPv4 shorthands (0x7f.1, 2130706433) into 127.0.0.1", () => {
      expect(tryParseJid("alice@0x7f.1")?.bare).not.toBe("alice@127.0.0.1");
      expect(tryParseJid("alice@2130706433")?.bare).not.toBe("alice@127.0.0.1");
    });
    it("parses a domain whose last label is numeric (a.3) idempotently", () => {
      expect(parseJid("alice@a.3").domain).toBe("a.3");
    });
  });
});
