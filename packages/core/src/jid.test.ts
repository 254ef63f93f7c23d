import { describe, expect, it } from "vitest";
import { JidError, parseJid, sameBareJid } from "./jid.js";

describe("parseJid", () => {
  it("normalises local and domain, keeps the resource exact", () => {
    const jid = parseJid("Alice@Example.COM/Phone Home");
    expect(jid).toMatchObject({
      local: "alice",
      domain: "example.com",
      resource: "Phone Home",
      bare: "alice@example.com",
      full: "alice@example.com/Phone Home",
    });
  });
  it("maps IDN domains to one form", () => {
    expect(parseJid("a@xn--bcher-kva.example").domain).toBe(parseJid("a@BÜCHER.example").domain);
  });
  it.each([
    "",
    "@example.com",
    "a@",
    "a@b/",
    "a b@example.com",
    "a@exa mple.com",
    "a<b@example.com",
  ])("rejects %j", (input) => {
    expect(() => parseJid(input)).toThrow(JidError);
  });
  it("compares bare JIDs", () => {
    expect(sameBareJid("Bob@Example.org/x", "bob@example.org")).toBe(true);
    expect(sameBareJid("bob@example.org", "bobby@example.org")).toBe(false);
    expect(sameBareJid("not a jid", "not a jid")).toBe(false);
  });
});

describe("parseJid domain edge cases", () => {
  it.each(["alice@ex%41mple.com", "alice@evil%2Ecom"])(
    "rejects percent-encoding in %j",
    (input) => {
      expect(() => parseJid(input)).toThrow(JidError);
    },
  );
  it("does not fold IPv4 shorthand into loopback", () => {
    expect(parseJid("alice@0x7f.1").domain).toBe("0x7f.1");
    expect(parseJid("alice@2130706433").domain).toBe("2130706433");
    expect(parseJid("alice@a.3").domain).toBe("a.3");
    expect(parseJid("alice@127.0.0.1").domain).toBe("127.0.0.1");
  });
});
