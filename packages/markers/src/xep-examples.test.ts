/**
 * Every stanza this package builds or parses, checked against the examples
 * of the XEPs (pasted as XML and parsed), ids and `from` aside.
 */
import { buildMessage, type Element, parseMessage } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { canonical, parseXml } from "../test/parse-xml.js";
import { buildChatMarker, parseChatMarker, parseMarkable } from "./chat-markers.js";
import { buildChatStateMessage, parseChatState } from "./chat-states.js";
import { buildCorrection, parseCorrection } from "./corrections.js";
import { parseMarkersInfo } from "./markers-info.js";
import { buildReactions, parseReactions } from "./reactions.js";
import { buildReceipt, parseReceipt, parseReceiptRequest } from "./receipts.js";
import { buildReply, parseReply } from "./replies.js";
import { buildRetraction, parseRetraction } from "./retractions.js";
import { conversationOf, targetIdFor } from "./target-id.js";

const ORIGIN_ID = "origin-id@urn:xmpp:sid:0";

/** Compares a built message with an XEP example, ignoring root id/from and our origin-id. */
function expectSameStanza(
  built: Element,
  example: string,
  extra: { attrs?: string[]; children?: string[] } = {},
): void {
  const ignore = {
    attrs: ["id", "from", ...(extra.attrs ?? [])],
    children: [ORIGIN_ID, ...(extra.children ?? [])],
  };
  expect(canonical(built, ignore)).toBe(canonical(parseXml(example), ignore));
}

function inbound(example: string, domain = "example.com") {
  const message = parseMessage(parseXml(example), domain);
  if (!message) throw new Error("example did not parse");
  message.markers = parseMarkersInfo(message);
  return message;
}

describe("XEP-0085 chat states", () => {
  it("builds a standalone notification like Example 3, with a no-store hint", () => {
    const built = buildMessage(
      buildChatStateMessage("bernardo@shakespeare.lit/pda", "composing", "chat"),
    );
    expectSameStanza(
      built,
      `<message from='francisco@shakespeare.lit/elsinore' to='bernardo@shakespeare.lit/pda' type='chat'>
         <composing xmlns='http://jabber.org/protocol/chatstates'/>
       </message>`,
      { children: ["no-store@urn:xmpp:hints"] },
    );
    expect(built.getChild("no-store", "urn:xmpp:hints")).toBeDefined();
    expect(built.getChild("body")).toBeUndefined();
  });

  it("parses a content message carrying active (Example 1) and a standalone composing", () => {
    const content = inbound(
      `<message from='bernardo@shakespeare.lit/pda' to='francisco@shakespeare.lit' type='chat'>
         <body>Who's there?</body>
         <active xmlns='http://jabber.org/protocol/chatstates'/>
       </message>`,
    );
    expect(content.markers?.chatState).toBe("active");
    expect(content.markers?.signalOnly).toBe(false);
    const typing = inbound(
      `<message from='francisco@shakespeare.lit/elsinore' to='bernardo@shakespeare.lit/pda' type='chat'>
         <composing xmlns='http://jabber.org/protocol/chatstates'/>
       </message>`,
    );
    expect(typing.markers?.chatState).toBe("composing");
    expect(typing.markers?.signalOnly).toBe(true);
  });

  it("ignores unknown elements in the chat states namespace", () => {
    expect(
      parseChatState(
        parseXml(`<message><typing xmlns='http://jabber.org/protocol/chatstates'/></message>`),
      ),
    ).toBeUndefined();
  });
});

describe("XEP-0184 delivery receipts", () => {
  const request = `<message from='northumberland@shakespeare.lit/westminster' id='richard2-4.1.247'
       to='kingrichard@royalty.england.lit/throne' type='chat'>
       <body>My lord, dispatch; read o'er these articles.</body>
       <request xmlns='urn:xmpp:receipts'/>
     </message>`;

  it("parses the request of Example 3", () => {
    expect(parseReceiptRequest(parseXml(request))).toBe(true);
    const message = inbound(request, "shakespeare.lit");
    expect(message.markers?.receiptRequested).toBe(true);
    expect(message.markers?.signalOnly).toBe(false);
  });

  it("builds the receipt of Example 4 and parses it back", () => {
    const built = buildMessage(
      buildReceipt("northumberland@shakespeare.lit/westminster", "richard2-4.1.247"),
    );
    const example = `<message from='kingrichard@royalty.england.lit/throne' id='bi29sg183b4v'
         to='northumberland@shakespeare.lit/westminster'>
         <received xmlns='urn:xmpp:receipts' id='richard2-4.1.247'/>
       </message>`;
    expectSameStanza(built, example, { attrs: ["type"] });
    expect(parseReceipt(parseXml(example))).toEqual({ id: "richard2-4.1.247" });
    const message = inbound(example, "shakespeare.lit");
    expect(message.markers?.receipt).toEqual({ id: "richard2-4.1.247" });
    expect(message.markers?.signalOnly).toBe(true);
  });
});

describe("XEP-0333 chat markers", () => {
  it("parses markable (Example 1) and builds the displayed marker of Example 3", () => {
    const markable = parseXml(
      `<message from='northumberland@shakespeare.lit/westminster' id='message-1'
         to='ingrichard@royalty.england.lit/throne'>
         <thread>sleeping</thread>
         <body>My lord, dispatch; read o'er these articles.</body>
         <markable xmlns='urn:xmpp:chat-markers:0'/>
       </message>`,
    );
    expect(parseMarkable(markable)).toBe(true);
    const built = buildMessage(
      buildChatMarker(
        "northumberland@shakespeare.lit/westminster",
        "displayed",
        "message-1",
        "chat",
        "sleeping",
      ),
    );
    const example = `<message from='ingrichard@royalty.england.lit/throne' id='message-2'
         to='northumberland@shakespeare.lit/westminster'>
         <thread>sleeping</thread>
         <displayed xmlns='urn:xmpp:chat-markers:0' id='message-1'/>
       </message>`;
    expectSameStanza(built, example, { attrs: ["type"], children: ["store@urn:xmpp:hints"] });
    expect(parseChatMarker(parseXml(example))).toEqual({ type: "displayed", id: "message-1" });
  });

  it("builds and parses a received marker, without a store hint", () => {
    const built = buildMessage(buildChatMarker("a@example.com", "received", "m-1"));
    expect(parseChatMarker(built)).toEqual({ type: "received", id: "m-1" });
    expect(built.getChild("store", "urn:xmpp:hints")).toBeUndefined();
  });
});

describe("XEP-0444 reactions", () => {
  const twoReactions = `<message to='romeo@montague.lit' id='96053ab0-9f6b-4f4c-a4b6-5cc5d4b1c3e5' type='chat'>
       <reactions id='744f6e18-a57a-11e9-a656-4889e7820c76' xmlns='urn:xmpp:reactions:0'>
         <reaction>👋</reaction>
         <reaction>🐢</reaction>
       </reactions>
       <store xmlns="urn:xmpp:hints"/>
     </message>`;

  it("builds the full set of Example 3", () => {
    const built = buildMessage(
      buildReactions("romeo@montague.lit", "744f6e18-a57a-11e9-a656-4889e7820c76", ["👋", "🐢"]),
    );
    expectSameStanza(built, twoReactions);
  });

  it("builds the removal of Example 4 (empty set)", () => {
    const built = buildMessage(
      buildReactions("romeo@montague.lit", "744f6e18-a57a-11e9-a656-4889e7820c76", []),
    );
    expectSameStanza(
      built,
      `<message to='romeo@montague.lit' id='96053ab0-9f6b-4f4c-a4b6-5cc5d4b1c3e5' type='chat'>
         <reactions id='744f6e18-a57a-11e9-a656-4889e7820c76' xmlns='urn:xmpp:reactions:0'/>
         <store xmlns="urn:xmpp:hints"/>
       </message>`,
    );
  });

  it("parses Example 3 and marks it as a signal", () => {
    const message = inbound(
      twoReactions.replace("<message ", "<message from='juliet@capulet.lit/balcony' "),
    );
    expect(message.markers?.reactions).toEqual({
      targetId: "744f6e18-a57a-11e9-a656-4889e7820c76",
      emojis: ["👋", "🐢"],
    });
    expect(message.markers?.signalOnly).toBe(true);
  });

  it("drops non-emoji and duplicate reactions on receipt", () => {
    const parsed = parseReactions(
      parseXml(
        `<message><reactions id='x' xmlns='urn:xmpp:reactions:0'>
           <reaction>👍</reaction><reaction>👍</reaction><reaction>hello</reaction>
           <reaction>1</reaction><reaction>👍👍</reaction><reaction>🇫🇷</reaction>
           <reaction>👩‍👩‍👧</reaction><reaction>1️⃣</reaction>
         </reactions></message>`,
      ),
    );
    expect(parsed?.emojis).toEqual(["👍", "🇫🇷", "👩‍👩‍👧", "1️⃣"]);
  });

  it("refuses to send something that is not one emoji", () => {
    expect(() => buildReactions("a@b.c", "x", ["ok"])).toThrow(/not a single emoji/u);
    expect(() => buildReactions("a@b.c", "", ["👍"])).toThrow(/target id/u);
    expect(buildReactions("a@b.c", "x", ["👍", "👍"]).children?.[0]?.children).toHaveLength(1);
  });
});

describe("XEP-0461 replies with XEP-0428 fallback", () => {
  const example = `<message to='anna@example.com' from='max@example.com/phone' id='message-id2' type='chat'>
  <body>&gt; Anna wrote:
&gt; We should bake a cake
Great idea!</body>
  <reply to='anna@example.com/laptop' id='message-id1' xmlns='urn:xmpp:reply:0' />
  <fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'>
    <body start="0" end="38" />
  </fallback>
</message>`;

  it("builds the reply with quoted fallback of Example 2", () => {
    const built = buildMessage(
      buildReply(
        "anna@example.com",
        {
          id: "message-id1",
          jid: "anna@example.com/laptop",
          body: "We should bake a cake",
          name: "Anna",
        },
        "Great idea!",
      ),
    );
    expectSameStanza(built, example);
  });

  it("parses Example 2: target and the text with the fallback stripped", () => {
    const message = inbound(example);
    expect(parseReply(message.stanza)?.id).toBe("message-id1");
    expect(message.markers?.replyTo?.jid?.full).toBe("anna@example.com/laptop");
    expect(message.markers?.bodyWithoutFallback).toBe("Great idea!");
    expect(message.body).toMatch(/^> Anna wrote:/u);
  });

  it("builds a plain reply (Example 1) when the target text is unknown", () => {
    const built = buildMessage(
      buildReply(
        "anna@example.com",
        { id: "message-id1", jid: "anna@example.com/tablet" },
        "Great idea!",
      ),
    );
    expectSameStanza(
      built,
      `<message to='anna@example.com' id='message-id2' type='chat'>
         <body>Great idea!</body>
         <reply to='anna@example.com/tablet' id='message-id1' xmlns='urn:xmpp:reply:0' />
       </message>`,
    );
  });

  it("counts fallback ranges in code points and ignores bad ranges", () => {
    const built = buildMessage(buildReply("a@example.com", { id: "t", body: "🎂 cake" }, "yes 🎉"));
    const range = built.getChild("fallback", "urn:xmpp:fallback:0")?.getChild("body");
    expect(range?.attrs).toMatchObject({ start: "0", end: "9" });
    const parsed = inbound(
      built.toString().replace("<message ", "<message from='b@example.com/x' "),
    );
    expect(parsed.markers?.bodyWithoutFallback).toBe("yes 🎉");
    const bad = inbound(
      `<message from='b@example.com/x' type='chat'><body>hello</body>
         <fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'><body start='3' end='99'/></fallback>
       </message>`,
    );
    expect(bad.markers?.bodyWithoutFallback).toBe("hello");
  });
});

describe("XEP-0308 corrections", () => {
  it("builds and parses the correction of Example 2", () => {
    const built = buildMessage(
      buildCorrection(
        "juliet@capulet.net/balcony",
        "bad1",
        "But soft, what light through yonder window breaks?",
      ),
    );
    const example = `<message to='juliet@capulet.net/balcony' id='good1'>
         <body>But soft, what light through yonder window breaks?</body>
         <replace id='bad1' xmlns='urn:xmpp:message-correct:0'/>
       </message>`;
    expectSameStanza(built, example, { attrs: ["type"] });
    expect(parseCorrection(parseXml(example))).toEqual({ replaces: "bad1" });
  });
});

describe("XEP-0424 retractions", () => {
  const example = `<message type='chat' to='lord@capulet.example' id='retract-message-1'>
       <retract id="origin-id-1" xmlns='urn:xmpp:message-retract:1'/>
       <fallback xmlns="urn:xmpp:fallback:0" for='urn:xmpp:message-retract:1'/>
       <body>/me retracted a previous message, but it's unsupported by your client.</body>
       <store xmlns="urn:xmpp:hints"/>
     </message>`;

  it("builds the retraction of Example 1", () => {
    const built = buildMessage(
      buildRetraction(
        "lord@capulet.example",
        "origin-id-1",
        "/me retracted a previous message, but it's unsupported by your client.",
      ),
    );
    expectSameStanza(built, example);
  });

  it("parses it as a signal whose fallback body is stripped", () => {
    const message = inbound(
      example.replace("<message ", "<message from='lady@capulet.example/x' "),
    );
    expect(message.markers?.retraction).toEqual({ id: "origin-id-1" });
    expect(message.markers?.bodyWithoutFallback).toBe("");
    expect(message.markers?.signalOnly).toBe(true);
  });

  it("parses a legacy v0 retraction inside apply-to", () => {
    expect(
      parseRetraction(
        parseXml(
          `<message type='chat' to='lord@capulet.example' id='retract-message-1'>
             <apply-to id="origin-id-1" xmlns="urn:xmpp:fasten:0">
               <retract xmlns='urn:xmpp:message-retract:0'/>
             </apply-to>
             <fallback xmlns="urn:xmpp:fallback:0"/>
             <body>This person attempted to retract a previous message, but it's unsupported by your client.</body>
           </message>`,
        ),
      ),
    ).toEqual({ id: "origin-id-1" });
  });
});

describe("XEP-0359 ids to reference a message", () => {
  it("uses the room's stanza-id in group chat, never the sender's ids", () => {
    const message = inbound(
      `<message from='coven@chat.shakespeare.lit/firstwitch' to='hag66@shakespeare.lit/pda'
         type='groupchat' id='msg-1'>
         <body>Thrice the brinded cat hath mew'd.</body>
         <origin-id xmlns='urn:xmpp:sid:0' id='de305d54-75b4-431b-adb2-eb6b9e546013'/>
         <stanza-id xmlns='urn:xmpp:sid:0' id='5f3dbc5e-e1d3-4077-a492-693f3769c7ad'
           by='coven@chat.shakespeare.lit'/>
         <stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='hag66@shakespeare.lit'/>
       </message>`,
      "shakespeare.lit",
    );
    expect(targetIdFor(message)).toBe("5f3dbc5e-e1d3-4077-a492-693f3769c7ad");
    expect(conversationOf(message)).toEqual({
      to: "coven@chat.shakespeare.lit",
      type: "groupchat",
    });
  });

  it("has no id for a room message without the room's stanza-id", () => {
    const message = inbound(
      `<message from='coven@chat.shakespeare.lit/firstwitch' type='groupchat' id='msg-1'>
         <body>hi</body></message>`,
    );
    expect(targetIdFor(message)).toBeUndefined();
  });

  it("uses the origin-id in 1:1, else the stanza id", () => {
    const withOrigin = inbound(
      `<message from='romeo@montague.lit/orchard' type='chat' id='a'>
         <body>hi</body><origin-id xmlns='urn:xmpp:sid:0' id='b'/>
         <stanza-id xmlns='urn:xmpp:sid:0' id='c' by='juliet@capulet.lit'/>
       </message>`,
    );
    expect(targetIdFor(withOrigin)).toBe("b");
    expect(conversationOf(withOrigin)).toEqual({ to: "romeo@montague.lit", type: "chat" });
    const plain = inbound(
      `<message from='romeo@montague.lit/orchard' type='chat' id='a'><body>hi</body></message>`,
    );
    expect(targetIdFor(plain)).toBe("a");
  });

  it("addresses a room private message to the occupant", () => {
    const message = inbound(
      `<message from='coven@chat.shakespeare.lit/firstwitch' type='chat' id='pm'>
         <body>psst</body><x xmlns='http://jabber.org/protocol/muc#user'/>
       </message>`,
    );
    expect(conversationOf(message)).toEqual({
      to: "coven@chat.shakespeare.lit/firstwitch",
      type: "chat",
    });
  });
});

describe("malformed input", () => {
  it("never throws and ignores empty or oversized ids", () => {
    const message = inbound(
      `<message from='x@example.com/r' type='chat'>
         <reactions xmlns='urn:xmpp:reactions:0'><reaction>👍</reaction></reactions>
         <displayed xmlns='urn:xmpp:chat-markers:0' id=''/>
         <received xmlns='urn:xmpp:receipts' id='${"x".repeat(300)}'/>
         <reply xmlns='urn:xmpp:reply:0' to='not a jid'/>
         <replace xmlns='urn:xmpp:message-correct:0'/>
         <retract xmlns='urn:xmpp:message-retract:1'/>
       </message>`,
    );
    expect(message.markers).toMatchObject({
      reactions: undefined,
      marker: undefined,
      receipt: undefined,
      replyTo: undefined,
      correction: undefined,
      retraction: undefined,
      signalOnly: false,
    });
  });
});
