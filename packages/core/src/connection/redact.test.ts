import { describe, expect, it } from "vitest";
import { xml } from "../xml.js";
import { REDACTED, redactForTrace, traceText } from "./redact.js";

const SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
const SASL2 = "urn:xmpp:sasl:2";
const FAST = "urn:xmpp:fast:0";

describe("redactForTrace", () => {
  it("hides RFC 6120 SASL payloads and keeps the mechanism", () => {
    for (const name of ["auth", "challenge", "response", "success"]) {
      const text = traceText(xml(name, { xmlns: SASL, mechanism: "SCRAM-SHA-1" }, "c2VjcmV0"));
      expect(text).not.toContain("c2VjcmV0");
      expect(text).toContain(REDACTED);
    }
    expect(traceText(xml("auth", { xmlns: SASL, mechanism: "PLAIN" }, "x"))).toContain(
      'mechanism="PLAIN"',
    );
  });

  it("keeps SASL failures readable", () => {
    const failure = xml("failure", { xmlns: SASL }, xml("not-authorized"), xml("text", {}, "bad"));
    expect(redactForTrace(failure)).toBe(failure);
  });

  it("hides SASL2 initial-response, challenge, response, additional-data and task data", () => {
    const authenticate = xml(
      "authenticate",
      { xmlns: SASL2, mechanism: "SCRAM-SHA-256" },
      xml("initial-response", {}, "biwsbj1ib3Q="),
      xml("user-agent", { id: "abc" }, xml("software", {}, "clawxmpp")),
    );
    const success = xml(
      "success",
      { xmlns: SASL2 },
      xml("additional-data", {}, "dj1zaWc="),
      xml("authorization-identifier", {}, "bot@example.org/r"),
      xml("token", { xmlns: FAST, token: "s3cr3t-token", expiry: "2026-12-31T00:00:00Z" }),
    );
    const out = [
      traceText(authenticate),
      traceText(xml("challenge", { xmlns: SASL2 }, "cj1mb28=")),
      traceText(xml("response", { xmlns: SASL2 }, "Yz1iaXdz")),
      traceText(success),
      traceText(
        xml("continue", { xmlns: SASL2 }, xml("additional-data", {}, "c2FsdA=="), xml("tasks")),
      ),
      traceText(xml("next", { xmlns: SASL2, task: "UPGR-SCRAM-SHA-256" })),
      traceText(xml("task-data", { xmlns: SASL2 }, xml("hash", { xmlns: "x" }, "aGFzaA=="))),
    ].join("\n");
    for (const secret of ["biwsbj1ib3Q=", "dj1zaWc=", "cj1mb28=", "Yz1iaXdz", "s3cr3t-token"]) {
      expect(out).not.toContain(secret);
    }
    expect(out).not.toContain("c2FsdA==");
    expect(out).not.toContain("aGFzaA==");
    // What helps debugging stays.
    expect(out).toContain("bot@example.org/r");
    expect(out).toContain("clawxmpp");
    expect(out).toContain('expiry="2026-12-31T00:00:00Z"');
  });

  it("hides FAST tokens wherever they appear", () => {
    const request = xml(
      "authenticate",
      { xmlns: SASL2, mechanism: "HT-SHA-256-NONE" },
      xml("initial-response", {}, "Ym90AGhhc2g="),
      xml("request-token", { xmlns: FAST, mechanism: "HT-SHA-256-NONE" }),
      xml("fast", { xmlns: FAST, count: "2" }),
    );
    expect(traceText(request)).not.toContain("Ym90AGhhc2g=");
    expect(traceText(xml("token", {}, "opaque"))).not.toContain("opaque");
    expect(traceText(xml("x", { token: "abc" }))).toBe(`<x token="${REDACTED}"/>`);
  });

  it("hides passwords of jabber:iq:register, jabber:iq:auth and private form fields", () => {
    const register = xml(
      "iq",
      { type: "set", id: "r1" },
      xml(
        "query",
        { xmlns: "jabber:iq:register" },
        xml("username", {}, "bot"),
        xml("password", {}, "hunter2"),
      ),
    );
    const legacy = xml(
      "query",
      { xmlns: "jabber:iq:auth" },
      xml("password", {}, "hunter3"),
      xml("digest", {}, "d1g3st"),
    );
    const form = xml(
      "x",
      { xmlns: "jabber:x:data", type: "submit" },
      xml("field", { var: "username" }, xml("value", {}, "bot")),
      xml("field", { var: "password" }, xml("value", {}, "hunter4")),
      xml("field", { var: "pin", type: "text-private" }, xml("value", {}, "1234")),
      xml("field", { var: "muc#roomconfig_roomsecret" }, xml("value", {}, "r00m")),
    );
    const out = [traceText(register), traceText(legacy), traceText(form)].join("\n");
    for (const secret of ["hunter2", "hunter3", "d1g3st", "hunter4", "1234", "r00m"]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain("<username>bot</username>");
    expect(out).toContain('<field var="username"><value>bot</value></field>');
  });

  it("returns ordinary stanzas untouched and never modifies the original", () => {
    const message = xml("message", { to: "a@b", type: "chat" }, xml("body", {}, "my password is"));
    expect(redactForTrace(message)).toBe(message);
    const auth = xml("auth", { xmlns: SASL, mechanism: "PLAIN" }, "AGJvdABwdw==");
    const iq = xml(
      "iq",
      { type: "set" },
      xml("query", { xmlns: "jabber:iq:register" }, xml("password", {}, "pw")),
    );
    const password = iq.getChild("query")?.getChild("password");
    redactForTrace(auth);
    redactForTrace(iq);
    expect(auth.toString()).toContain("AGJvdABwdw==");
    expect(iq.toString()).toContain("<password>pw</password>");
    expect(password?.parent).toBe(iq.getChild("query"));
  });

  it("follows namespaces inherited from the parent, as parsed stanzas carry them", () => {
    const success = xml("success", { xmlns: SASL2 });
    success.children.push(xml("additional-data", {}, "aW5oZXJpdGVk"));
    expect(traceText(success)).not.toContain("aW5oZXJpdGVk");
  });
  it("hides SASL2 payloads and FAST tokens in a whole login, keeping the structure", () => {
    const authenticate = xml(
      "authenticate",
      { xmlns: SASL2, mechanism: "HT-SHA-256-EXPR" },
      xml("initial-response", {}, "Ym90AHNlY3JldA=="),
      xml("fast", { xmlns: "urn:xmpp:fast:0", count: "3" }),
    );
    const success = xml(
      "success",
      { xmlns: SASL2 },
      xml("additional-data", {}, "cmVzcG9uZGVy"),
      xml("token", { xmlns: "urn:xmpp:fast:0", token: "secret-token:fast-xyz", expiry: "2030" }),
      xml("authorization-identifier", {}, "bot@example.org/r"),
    );
    const text = traceText(authenticate) + traceText(success);
    for (const secret of ["Ym90AHNlY3JldA==", "cmVzcG9uZGVy", "secret-token:fast-xyz"]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('count="3"');
    expect(text).toContain("bot@example.org/r");
  });
});
