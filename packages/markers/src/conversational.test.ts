import { type InboundMessage, parseMessage, xml } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { conversationalText } from "./conversational.js";
import { archiveIdFor } from "./target-id.js";

const BOT = "bot@example.test";

function message(attrs: Record<string, string>, ...children: ReturnType<typeof xml>[]) {
  const parsed = parseMessage(
    xml("message", { from: "alice@example.test/phone", to: BOT, ...attrs }, ...children),
    "example.test",
  ) as InboundMessage;
  return parsed;
}

describe("conversationalText", () => {
  it("is the trimmed text of what a person wrote, without reply fallbacks", () => {
    expect(conversationalText(message({ type: "chat" }, xml("body", {}, "  hello \n")))).toBe(
      "hello",
    );
    const reply = message(
      { type: "chat" },
      xml("body", {}, "> quoted\nanswer"),
      xml("reply", { xmlns: "urn:xmpp:reply:0", id: "x", to: "bob@example.test" }),
      xml(
        "fallback",
        { xmlns: "urn:xmpp:fallback:0", for: "urn:xmpp:reply:0" },
        xml("body", { start: "0", end: "9" }),
      ),
    );
    expect(conversationalText(reply)).toBe("answer");
    // No body (an attachment only): conversational, with empty text.
    expect(conversationalText(message({ type: "normal" }))).toBe("");
  });

  it("is undefined for errors, headlines, our own carbons and bare signals", () => {
    expect(conversationalText(message({ type: "error" }, xml("body", {}, "x")))).toBeUndefined();
    expect(conversationalText(message({ type: "headline" }, xml("body", {}, "x")))).toBeUndefined();
    expect(
      conversationalText({ ...message({ type: "chat" }, xml("body", {}, "x")), outgoing: true }),
    ).toBeUndefined();
    const typing = message(
      { type: "chat" },
      xml("composing", { xmlns: "http://jabber.org/protocol/chatstates" }),
    );
    expect(conversationalText(typing)).toBeUndefined();
    const reaction = message(
      { type: "chat" },
      xml("reactions", { xmlns: "urn:xmpp:reactions:0", id: "m1" }, xml("reaction", {}, "👍")),
    );
    expect(conversationalText(reaction)).toBeUndefined();
  });
});

describe("archiveIdFor", () => {
  it("is the stanza-id of our account in 1:1 and of the room in group chat, never a sender's claim", () => {
    const sid = (by: string, id: string) => xml("stanza-id", { xmlns: "urn:xmpp:sid:0", by, id });
    const direct = message({ type: "chat" }, sid("alice@example.test", "forged"), sid(BOT, "s1"));
    expect(archiveIdFor(direct, BOT)).toBe("s1");
    expect(archiveIdFor(message({ type: "chat" }, sid("alice@example.test", "x")), BOT)).toBe(
      undefined,
    );
    const room = parseMessage(
      xml(
        "message",
        { from: "room@conference.example.test/alice", to: BOT, type: "groupchat" },
        sid("room@conference.example.test", "r1"),
        sid(BOT, "s2"),
      ),
      "example.test",
    ) as InboundMessage;
    expect(archiveIdFor(room, BOT)).toBe("r1");
  });
});
