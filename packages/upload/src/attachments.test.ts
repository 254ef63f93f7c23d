import { xml } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import {
  attachmentUrl,
  bodyWithoutAttachmentUrls,
  detectAttachments,
  linkMessage,
  NS_OOB,
  oobElement,
} from "./attachments.js";

describe("XEP-0066 attachments", () => {
  it("reads the OOB URL of XEP-0066 §3 example 1", () => {
    const stanza = xml(
      "message",
      { from: "stpeter@jabber.org/work", to: "MaineBoy@jabber.org/home" },
      xml("body", {}, "Yeah, but do you have a license to Jabber?"),
      xml(
        "x",
        { xmlns: "jabber:x:oob" },
        xml("url", {}, "http://www.jabber.org/images/psa-license.jpg"),
      ),
    );
    expect(detectAttachments(stanza, "Yeah, but do you have a license to Jabber?")).toEqual([
      {
        url: "http://www.jabber.org/images/psa-license.jpg",
        via: "oob",
        description: undefined,
        encrypted: false,
      },
    ]);
  });

  it("reads a Conversations-style file message (body = URL + OOB) once", () => {
    const url = "https://upload.example.org/abc/photo.jpg";
    const stanza = xml("message", {}, xml("body", {}, url), oobElement(url, "holiday"));
    const found = detectAttachments(stanza, url);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ url, via: "oob", description: "holiday" });
  });

  it("treats a body that is exactly one URL as an attachment", () => {
    const stanza = xml("message", {}, xml("body", {}, "  https://files.example/x.png \n"));
    expect(detectAttachments(stanza, "  https://files.example/x.png \n")).toEqual([
      { url: "https://files.example/x.png", via: "body", description: undefined, encrypted: false },
    ]);
  });

  it("ignores a body with a URL and other text, and non-web schemes", () => {
    const none = (body: string) =>
      detectAttachments(xml("message", {}, xml("body", {}, body)), body);
    expect(none("look at https://files.example/x.png")).toEqual([]);
    expect(none("file:///etc/passwd")).toEqual([]);
    expect(none("javascript:alert(1)")).toEqual([]);
    expect(none("ftp://host/file")).toEqual([]);
    expect(none(`https://h/${"a".repeat(5000)}`)).toEqual([]);
  });

  it("marks aesgcm URLs (XEP-0454) as encrypted", () => {
    const url = "aesgcm://upload.example.org/abc/photo.jpg#" + "ab".repeat(44);
    const found = detectAttachments(xml("message", {}, xml("body", {}, url)), url);
    expect(found[0]?.encrypted).toBe(true);
  });

  it("bounds the number of OOB elements it reads", () => {
    const stanza = xml(
      "message",
      {},
      ...Array.from({ length: 50 }, (_, i) =>
        xml("x", { xmlns: NS_OOB }, xml("url", {}, `https://h.example/${i}`)),
      ),
    );
    expect(detectAttachments(stanza, undefined).length).toBeLessThanOrEqual(8);
  });

  it("survives malformed OOB elements", () => {
    const stanza = xml(
      "message",
      {},
      xml("x", { xmlns: NS_OOB }),
      xml("x", { xmlns: NS_OOB }, xml("url", {}, "::not a url::")),
    );
    expect(detectAttachments(stanza, undefined)).toEqual([]);
    expect(attachmentUrl(undefined)).toBeUndefined();
  });

  it("builds the OOB element of XEP-0066 §3", () => {
    expect(oobElement("https://h.example/f.png").toString()).toBe(
      '<x xmlns="jabber:x:oob"><url>https://h.example/f.png</url></x>',
    );
  });
});

describe("sharing a link and reading a body around attachments", () => {
  it("a link message is body = URL plus OOB; an aesgcm:// link goes without OOB (XEP-0454 §3)", () => {
    const plain = linkMessage("alice@example.org", "https://files.example.org/a.png", {
      type: "groupchat",
      description: "the chart",
    });
    expect(plain).toMatchObject({ to: "alice@example.org", type: "groupchat" });
    expect(plain.body).toBe("https://files.example.org/a.png");
    expect(plain.children?.[0]?.getChildText("url")).toBe("https://files.example.org/a.png");
    expect(plain.children?.[0]?.getChildText("desc")).toBe("the chart");
    const secret = linkMessage("alice@example.org", "aesgcm://files.example.org/a#key");
    expect(secret.type).toBe("chat");
    expect(secret.children).toEqual([]);
  });

  it("drops the lines that are only an attachment's URL, keeps the caption", () => {
    const url = "https://files.example.org/notes.txt";
    const attachments = detectAttachments(xml("message", {}, oobElement(url)), undefined);
    expect(bodyWithoutAttachmentUrls(`${url}`, attachments)).toBe("");
    expect(bodyWithoutAttachmentUrls(`read this\n ${url} `, attachments)).toBe("read this");
    // Normalised forms of the same URL count too; other links stay.
    const bare = detectAttachments(
      xml("message", {}, oobElement("https://Files.example.org")),
      undefined,
    );
    expect(bodyWithoutAttachmentUrls("https://files.example.org/", bare)).toBe("");
    expect(bodyWithoutAttachmentUrls("see https://other.example/x", attachments)).toBe(
      "see https://other.example/x",
    );
    expect(bodyWithoutAttachmentUrls("unchanged", [])).toBe("unchanged");
  });
});
