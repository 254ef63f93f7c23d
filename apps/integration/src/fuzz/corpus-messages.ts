/**
 * Seed messages shaped like what real clients and servers send: chat bodies,
 * carbons (XEP-0280), archive results (XEP-0313), room traffic and
 * invitations (XEP-0045, XEP-0249), reactions (XEP-0444), markers (XEP-0333),
 * receipts (XEP-0184), replies (XEP-0461), corrections (XEP-0308),
 * retractions (XEP-0424), chat states (XEP-0085) and attachments (XEP-0066,
 * XEP-0363 body = URL).
 */
import { type Element, xml } from "@clawxmpp/core";
import type { Rng } from "./prng.js";
import type { FuzzScene } from "./scene.js";

/** Builds one seed stanza. */
export type SeedBuilder = (scene: FuzzScene, rng: Rng) => Element;

const target = (s: FuzzScene, rng: Rng) => rng.pick(s.messageIds);
const id = (rng: Rng) => `f-${rng.int(1e9).toString(36)}`;
const sid = (s: FuzzScene, rng: Rng) =>
  xml("stanza-id", { xmlns: "urn:xmpp:sid:0", by: s.account, id: id(rng) });
const peer = (s: FuzzScene, rng: Rng) => `${rng.pick([s.owner, s.stranger])}/phone`;

const chatMessage = (s: FuzzScene, rng: Rng, ...children: Element[]) =>
  xml(
    "message",
    { from: peer(s, rng), to: s.full, type: "chat", id: id(rng) },
    xml("body", {}, rng.pick(["hello", "👍", "", "line\nbreak", "https://x.test/a.png"])),
    sid(s, rng),
    xml("origin-id", { xmlns: "urn:xmpp:sid:0", id: id(rng) }),
    ...children,
  );

const forwarded = (inner: Element, stamp = "2026-11-30T10:00:00Z") =>
  xml(
    "forwarded",
    { xmlns: "urn:xmpp:forward:0" },
    xml("delay", { xmlns: "urn:xmpp:delay", stamp }),
    inner,
  );

/** Seed builders for message stanzas. */
export const MESSAGE_SEEDS: Record<string, SeedBuilder> = {
  chat: (s, rng) => chatMessage(s, rng),
  chatWithReceiptRequest: (s, rng) =>
    chatMessage(
      s,
      rng,
      xml("request", { xmlns: "urn:xmpp:receipts" }),
      xml("markable", { xmlns: "urn:xmpp:chat-markers:0" }),
      xml("active", { xmlns: "http://jabber.org/protocol/chatstates" }),
    ),
  carbonReceived: (s, rng) =>
    xml(
      "message",
      { from: s.account, to: s.full, type: "chat" },
      xml("received", { xmlns: "urn:xmpp:carbons:2" }, forwarded(chatMessage(s, rng))),
    ),
  carbonSent: (s, rng) =>
    xml(
      "message",
      { from: s.account, to: s.full, type: "chat" },
      xml(
        "sent",
        { xmlns: "urn:xmpp:carbons:2" },
        forwarded(
          xml(
            "message",
            { from: `${s.account}/phone`, to: s.owner, type: "chat", id: id(rng) },
            xml("body", {}, "sent from my phone"),
          ),
        ),
      ),
    ),
  archiveResult: (s, rng) =>
    xml(
      "message",
      { from: s.account, to: s.full },
      xml(
        "result",
        {
          xmlns: "urn:xmpp:mam:2",
          queryid: s.archiveQueryIds.length > 0 ? rng.pick(s.archiveQueryIds) : id(rng),
          id: id(rng),
        },
        forwarded(chatMessage(s, rng)),
      ),
    ),
  groupchat: (s, rng) =>
    xml(
      "message",
      {
        from: `${s.room}/${rng.pick(["alice", s.nick, "eve"])}`,
        to: s.full,
        type: "groupchat",
        id: id(rng),
      },
      xml("body", {}, rng.pick([`${s.nick}: hi`, "hello room", "@bot ping"])),
      xml("stanza-id", { xmlns: "urn:xmpp:sid:0", by: s.room, id: id(rng) }),
      xml("reference", {
        xmlns: "urn:xmpp:reference:0",
        type: "mention",
        begin: "0",
        end: "3",
        uri: `xmpp:${s.full}`,
      }),
    ),
  roomSubject: (s) =>
    xml("message", { from: s.room, to: s.full, type: "groupchat" }, xml("subject", {}, "topic")),
  roomHistory: (s, rng) =>
    xml(
      "message",
      { from: `${s.room}/alice`, to: s.full, type: "groupchat", id: id(rng) },
      xml("body", {}, "old"),
      xml("delay", { xmlns: "urn:xmpp:delay", from: s.room, stamp: "2026-11-29T10:00:00Z" }),
    ),
  mediatedInvite: (s) =>
    xml(
      "message",
      { from: "other@conference.fuzz.test", to: s.full },
      xml(
        "x",
        { xmlns: "http://jabber.org/protocol/muc#user" },
        xml("invite", { from: `${s.owner}/phone` }, xml("reason", {}, "join us")),
        xml("password", {}, "secret"),
      ),
    ),
  directInvite: (s, rng) =>
    xml(
      "message",
      { from: peer(s, rng), to: s.full },
      xml("x", { xmlns: "jabber:x:conference", jid: "other@conference.fuzz.test", reason: "hi" }),
    ),
  reaction: (s, rng) =>
    xml(
      "message",
      { from: peer(s, rng), to: s.full, type: "chat", id: id(rng) },
      xml(
        "reactions",
        { xmlns: "urn:xmpp:reactions:0", id: target(s, rng) },
        xml("reaction", {}, "👍"),
        xml("reaction", {}, "🐢"),
      ),
      xml("store", { xmlns: "urn:xmpp:hints" }),
    ),
  displayed: (s, rng) =>
    xml(
      "message",
      { from: peer(s, rng), to: s.full, type: "chat", id: id(rng) },
      xml("displayed", { xmlns: "urn:xmpp:chat-markers:0", id: target(s, rng) }),
    ),
  receipt: (s, rng) =>
    xml(
      "message",
      { from: peer(s, rng), to: s.full, id: id(rng) },
      xml("received", { xmlns: "urn:xmpp:receipts", id: target(s, rng) }),
    ),
  reply: (s, rng) =>
    xml(
      "message",
      { from: peer(s, rng), to: s.full, type: "chat", id: id(rng) },
      xml("body", {}, "> quoted\nanswer"),
      xml("reply", { xmlns: "urn:xmpp:reply:0", to: s.owner, id: target(s, rng) }),
      xml(
        "fallback",
        { xmlns: "urn:xmpp:fallback:0", for: "urn:xmpp:reply:0" },
        xml("body", { start: "0", end: "9" }),
      ),
    ),
  correction: (s, rng) =>
    xml(
      "message",
      { from: peer(s, rng), to: s.full, type: "chat", id: id(rng) },
      xml("body", {}, "fixed text"),
      xml("replace", { xmlns: "urn:xmpp:message-correct:0", id: target(s, rng) }),
    ),
  retraction: (s, rng) =>
    xml(
      "message",
      { from: peer(s, rng), to: s.full, type: "chat", id: id(rng) },
      xml("retract", { xmlns: "urn:xmpp:message-retract:1", id: target(s, rng) }),
      xml("fallback", { xmlns: "urn:xmpp:fallback:0", for: "urn:xmpp:message-retract:1" }),
      xml("body", {}, "This person attempted to retract a previous message"),
    ),
  legacyRetraction: (s, rng) =>
    xml(
      "message",
      { from: peer(s, rng), to: s.full, type: "chat", id: target(s, rng) },
      xml(
        "apply-to",
        { xmlns: "urn:xmpp:fasten:0", id: target(s, rng) },
        xml("retract", { xmlns: "urn:xmpp:message-retract:0" }),
      ),
    ),
  chatState: (s, rng) =>
    xml(
      "message",
      { from: peer(s, rng), to: s.full, type: "chat" },
      xml(rng.pick(["composing", "paused", "active", "inactive", "gone"]), {
        xmlns: "http://jabber.org/protocol/chatstates",
      }),
    ),
  oobAttachment: (s, rng) =>
    xml(
      "message",
      { from: peer(s, rng), to: s.full, type: "chat", id: id(rng) },
      xml("body", {}, "https://upload.fuzz.test/abc/photo.jpg"),
      xml(
        "x",
        { xmlns: "jabber:x:oob" },
        xml("url", {}, "https://upload.fuzz.test/abc/photo.jpg"),
        xml("desc", {}, "a photo"),
      ),
    ),
  encryptedAttachment: (s, rng) =>
    xml(
      "message",
      { from: peer(s, rng), to: s.full, type: "chat", id: id(rng) },
      xml("body", {}, `aesgcm://upload.fuzz.test/f.jpg#${"ab".repeat(44)}`),
    ),
  errorBounce: (s, rng) =>
    xml(
      "message",
      { from: s.owner, to: s.full, type: "error", id: target(s, rng) },
      xml(
        "error",
        { type: "cancel" },
        xml("service-unavailable", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" }),
        xml("text", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" }, "nope"),
      ),
    ),
  headline: (s) =>
    xml(
      "message",
      { from: s.domain, to: s.full, type: "headline" },
      xml(
        "event",
        { xmlns: "http://jabber.org/protocol/pubsub#event" },
        xml("items", { node: "urn:xmpp:avatar:metadata" }, xml("item", { id: "x" })),
      ),
    ),
};
