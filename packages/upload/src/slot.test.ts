import { StanzaError, xml } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { parseSlot, slotError, slotRequest } from "./slot.js";
import { UploadError } from "./upload-error.js";
import { isUploadService, parseMaxFileSize } from "./upload-service.js";

const NS = "urn:xmpp:http:upload:0";
const STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

/** XEP-0363 §3 example 2: the service's disco#info with its size limit. */
const serviceInfo = xml(
  "query",
  { xmlns: "http://jabber.org/protocol/disco#info" },
  xml("identity", { category: "store", type: "file", name: "HTTP File Upload" }),
  xml("feature", { var: NS }),
  xml(
    "x",
    { type: "result", xmlns: "jabber:x:data" },
    xml("field", { var: "FORM_TYPE", type: "hidden" }, xml("value", {}, NS)),
    xml("field", { var: "max-file-size" }, xml("value", {}, "5242880")),
  ),
);

/** XEP-0363 §5 example 5. */
const slotResult = (putUrl: string, getUrl: string, ...headers: [string, string][]) =>
  xml(
    "iq",
    { from: "upload.montague.tld", id: "step_03", to: "romeo@montague.tld/garden", type: "result" },
    xml(
      "slot",
      { xmlns: NS },
      xml(
        "put",
        { url: putUrl },
        ...headers.map(([name, value]) => xml("header", { name }, value)),
      ),
      xml("get", { url: getUrl }),
    ),
  );

describe("XEP-0363 discovery", () => {
  it("recognises the service of §3 example 2 and reads max-file-size", () => {
    expect(isUploadService(serviceInfo)).toBe(true);
    expect(parseMaxFileSize(serviceInfo)).toBe(5242880);
  });

  it("rejects an entity without the identity or the feature", () => {
    const chat = xml(
      "query",
      { xmlns: "http://jabber.org/protocol/disco#info" },
      xml("identity", { category: "conference", type: "text" }),
      xml("feature", { var: NS }),
    );
    expect(isUploadService(chat)).toBe(false);
  });

  it("ignores a max-file-size of another form or a garbage value", () => {
    const other = xml(
      "query",
      {},
      xml(
        "x",
        { xmlns: "jabber:x:data", type: "result" },
        xml("field", { var: "FORM_TYPE" }, xml("value", {}, "urn:other")),
        xml("field", { var: "max-file-size" }, xml("value", {}, "10")),
      ),
      xml(
        "x",
        { xmlns: "jabber:x:data", type: "result" },
        xml("field", { var: "FORM_TYPE" }, xml("value", {}, NS)),
        xml("field", { var: "max-file-size" }, xml("value", {}, "lots")),
      ),
    );
    expect(parseMaxFileSize(other)).toBeUndefined();
  });
});

describe("XEP-0363 slots", () => {
  it("builds the request of §4 example 4", () => {
    expect(
      slotRequest({ name: "très cool.jpg", size: 23456, contentType: "image/jpeg" }).toString(),
    ).toBe(
      `<request xmlns="${NS}" filename="très cool.jpg" size="23456" content-type="image/jpeg"/>`,
    );
  });

  it("parses the slot of §5 example 5 keeping only allowed headers", () => {
    const slot = parseSlot(
      slotResult(
        "https://upload.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/tr%C3%A8s%20cool.jpg",
        "https://download.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/tr%C3%A8s%20cool.jpg",
        ["Authorization", "Basic Base64String=="],
        ["Cookie", "foo=bar; user=romeo"],
        ["expires", "Tue, 01 Dec 2026 00:00:00 GMT"],
        ["X-Evil", "1"],
        ["Host", "attacker.example"],
        ["Content-Length", "0"],
      ),
      false,
    );
    expect(slot.put.hostname).toBe("upload.montague.tld");
    expect(slot.get.href).toBe(
      "https://download.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/tr%C3%A8s%20cool.jpg",
    );
    expect(slot.headers).toEqual({
      Authorization: "Basic Base64String==",
      Cookie: "foo=bar; user=romeo",
      Expires: "Tue, 01 Dec 2026 00:00:00 GMT",
    });
  });

  it("drops a header value with a line break", () => {
    const slot = parseSlot(
      slotResult("https://u.example/p", "https://u.example/g", ["Cookie", "a=b\r\nX-Injected: 1"]),
      false,
    );
    expect(slot.headers).toEqual({});
  });

  it.each([
    ["http://upload.example/p", "https://upload.example/g", true],
    ["https://upload.example/p", "http://upload.example/g", true],
    ["ftp://upload.example/p", "https://upload.example/g", false],
    ["https://user:pw@upload.example/p", "https://upload.example/g", false],
    ["not a url", "https://upload.example/g", false],
  ])("refuses PUT %s / GET %s", (put, get, allowInsecure) => {
    expect(() => parseSlot(slotResult(put, get), allowInsecure)).toThrow(UploadError);
    try {
      parseSlot(slotResult(put, get), allowInsecure);
    } catch (error) {
      expect((error as UploadError).reason).toBe("insecure-url");
    }
  });

  it("accepts plain http only for loopback with allowInsecureHttp", () => {
    const local = slotResult("http://localhost:5280/p", "http://127.0.0.1:5280/g");
    expect(() => parseSlot(local, false)).toThrow(/plain http/u);
    expect(parseSlot(local, true).put.port).toBe("5280");
  });

  it("refuses a result without a slot", () => {
    expect(() => parseSlot(xml("iq", { type: "result" }), false)).toThrow(/usable slot/u);
  });

  it("translates the file-too-large error of §6 example 6", () => {
    const stanza = xml(
      "iq",
      { from: "upload.montague.tld", id: "step_03", type: "error" },
      xml("request", { xmlns: NS, filename: "très cool.jpg", size: "23456" }),
      xml(
        "error",
        { type: "modify" },
        xml("not-acceptable", { xmlns: STANZAS }),
        xml("text", { xmlns: STANZAS }, "File too large. The maximum file size is 20000 bytes"),
        xml("file-too-large", { xmlns: NS }, xml("max-file-size", {}, "20000")),
      ),
    );
    const error = slotError(StanzaError.fromElement(stanza));
    expect(error.reason).toBe("too-large");
    expect(error.message).toMatch(/20000/u);
  });

  it("translates the quota error of §6 example 7 with its retry stamp", () => {
    const stanza = xml(
      "iq",
      { type: "error" },
      xml(
        "error",
        { type: "wait" },
        xml("resource-constraint", { xmlns: STANZAS }),
        xml("text", { xmlns: STANZAS }, "Quota reached. You can only upload 5 files in 5 minutes"),
        xml("retry", { xmlns: NS, stamp: "2017-12-03T23:42:05Z" }),
      ),
    );
    const error = slotError(StanzaError.fromElement(stanza));
    expect(error.reason).toBe("slot-refused");
    expect(error.message).toMatch(/2017-12-03T23:42:05Z/u);
    expect(error.message).toMatch(/resource-constraint/u);
  });
});
