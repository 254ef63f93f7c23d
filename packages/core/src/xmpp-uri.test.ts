import { describe, expect, it } from "vitest";
import { formatXmppUri, jidFromInput, parseXmppUri } from "./xmpp-uri.js";

describe("xmpp: URIs (RFC 5122)", () => {
  it("parses the JID, the action and its parameters", () => {
    const uri = parseXmppUri("xmpp:Romeo@Montague.net?message;subject=Test%20Message;body=Here's");
    expect(uri?.jid.bare).toBe("romeo@montague.net");
    expect(uri?.action).toBe("message");
    expect(uri?.params).toEqual({ subject: "Test Message", body: "Here's" });
    expect(parseXmppUri("xmpp:room@conference.example.org?join")?.action).toBe("join");
  });

  it("decodes percent-encoding, skips an authority and a fragment, keeps a resource", () => {
    expect(parseXmppUri("xmpp:node%40with@example.org")).toBeUndefined();
    expect(parseXmppUri("xmpp:juliet@example.com/balcony%20left")?.jid.full).toBe(
      "juliet@example.com/balcony left",
    );
    expect(parseXmppUri("xmpp://guest@example.com/support@example.com?message")?.jid.bare).toBe(
      "support@example.com",
    );
    expect(parseXmppUri("xmpp:a@example.org#frag")?.jid.bare).toBe("a@example.org");
  });

  it("refuses what is not an xmpp: URI with a valid JID", () => {
    for (const bad of ["mailto:a@example.org", "xmpp:", "xmpp:a@", "xmpp://nobody", "a@b"]) {
      expect(parseXmppUri(bad), bad).toBeUndefined();
    }
    expect(parseXmppUri(`xmpp:${"a".repeat(5000)}@example.org`)).toBeUndefined();
  });

  it("ignores a __proto__ parameter", () => {
    const uri = parseXmppUri("xmpp:a@example.org?message;__proto__=x;body=hi");
    expect(Object.getPrototypeOf(uri?.params)).toBe(Object.prototype);
    expect(uri?.params).toEqual({ body: "hi" });
  });

  it("formats a URI that parses back to the same JID", () => {
    const uri = formatXmppUri("room@conference.example.org", "join");
    expect(uri).toBe("xmpp:room@conference.example.org?join");
    expect(parseXmppUri(uri)?.jid.bare).toBe("room@conference.example.org");
    expect(parseXmppUri(formatXmppUri("a@example.org/x?y"))?.jid.full).toBe("a@example.org/x?y");
  });

  it("jidFromInput takes a typed JID or a URI", () => {
    expect(jidFromInput(" Alice@Example.ORG ")?.bare).toBe("alice@example.org");
    expect(jidFromInput("xmpp:alice@example.org?message")?.bare).toBe("alice@example.org");
    expect(jidFromInput("xmpp:")).toBeUndefined();
    expect(jidFromInput(undefined)).toBeUndefined();
  });
});
