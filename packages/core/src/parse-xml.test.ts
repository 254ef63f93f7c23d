import { describe, expect, it } from "vitest";
import { parseXml } from "./parse-xml.js";

describe("parseXml", () => {
  it("parses one element with namespaces, attributes, text and entities", () => {
    const element = parseXml(
      ` <envelope xmlns='urn:xmpp:sce:1'><content><body xmlns='jabber:client'>a &amp; b &lt;3 &#x2713;</body></content></envelope>\n`,
    );
    expect(element.is("envelope", "urn:xmpp:sce:1")).toBe(true);
    expect(element.parent).toBeNull();
    const body = element.getChild("content")?.getChild("body", "jabber:client");
    expect(body?.getText()).toBe("a & b <3 ✓");
  });

  it("refuses input beyond maxBytes before parsing", () => {
    expect(() => parseXml(`<a>${"x".repeat(100)}</a>`, { maxBytes: 50 })).toThrow(/more than 50/);
  });

  it("refuses trees deeper than maxDepth", () => {
    const deep = `${"<a>".repeat(5)}${"</a>".repeat(5)}`;
    expect(parseXml(deep, { maxDepth: 5 }).name).toBe("a");
    expect(() => parseXml(deep, { maxDepth: 4 })).toThrow(/deeper than 4/);
  });

  it.each([
    ["two roots", "<a/><b/>"],
    ["no root", "   "],
    ["text outside", "hello<a/>"],
    ["unclosed", "<a><b></a>"],
    ["a wrapper escape", "<a/></clawxmpp-parse-xml-root><b/>"],
    ["a doctype", "<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>"],
    ["a processing instruction", "<?xml version='1.0'?><a/>"],
    ["a comment", "<a><!-- hidden --></a>"],
  ])("refuses %s", (_what, text) => {
    expect(() => parseXml(text)).toThrow(/\[core\] parseXml/);
  });
});
