/**
 * Seed presences and IQs: room presences with XEP-0045 `<x/>` user items and
 * status codes, XEP-0115 caps, subscription requests (RFC 6121 §3), and IQs
 * of every type (RFC 6120 §8.2.3): disco (XEP-0030), ping (XEP-0199),
 * version, time, roster pushes (RFC 6121 §2.1.6), results and errors for the
 * client's own pending requests, and the archive's `<fin/>` (XEP-0313 §4.3).
 */
import { xml } from "@clawxmpp/core";
import type { SeedBuilder } from "./corpus-messages.js";
import type { Rng } from "./prng.js";
import type { FuzzScene } from "./scene.js";

const NS_MUC_USER = "http://jabber.org/protocol/muc#user";
const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
const id = (rng: Rng) => `i-${rng.int(1e9).toString(36)}`;
const pendingId = (s: FuzzScene, rng: Rng) =>
  s.pendingIqIds.length > 0 && rng.chance(0.8) ? rng.pick(s.pendingIqIds) : id(rng);

const occupant = (s: FuzzScene, rng: Rng, nick: string, codes: string[], type?: string) =>
  xml(
    "presence",
    { from: `${s.room}/${nick}`, to: s.full, type, id: id(rng) },
    xml(
      "x",
      { xmlns: NS_MUC_USER },
      xml("item", {
        affiliation: rng.pick(["owner", "admin", "member", "none", "outcast"]),
        role: rng.pick(["moderator", "participant", "visitor", "none"]),
        jid: `${rng.pick([s.owner, s.stranger])}/laptop`,
        nick: type === "unavailable" ? "renamed" : undefined,
      }),
      ...codes.map((code) => xml("status", { code })),
    ),
    xml("c", {
      xmlns: "http://jabber.org/protocol/caps",
      hash: "sha-1",
      node: "https://conversations.im",
      ver: "q07IKJEyjvHSyhy//CH0CxmKi8w=",
    }),
  );

const get = (s: FuzzScene, rng: Rng, child: ReturnType<typeof xml>, from = `${s.owner}/phone`) =>
  xml("iq", { type: "get", from, to: s.full, id: id(rng) }, child);

/** Seed builders for presence and IQ stanzas. */
export const STANZA_SEEDS: Record<string, SeedBuilder> = {
  occupantJoin: (s, rng) => occupant(s, rng, rng.pick(["alice", "eve"]), []),
  selfPresence: (s, rng) => occupant(s, rng, s.nick, ["110", "100", "170"]),
  nickChange: (s, rng) => occupant(s, rng, "alice", ["303"], "unavailable"),
  kicked: (s, rng) => occupant(s, rng, s.nick, ["110", "307"], "unavailable"),
  roomDestroyed: (s) =>
    xml(
      "presence",
      { from: `${s.room}/${s.nick}`, to: s.full, type: "unavailable" },
      xml(
        "x",
        { xmlns: NS_MUC_USER },
        xml("item", { affiliation: "none", role: "none" }),
        xml("destroy", { jid: "new@conference.fuzz.test" }, xml("reason", {}, "moved")),
        xml("status", { code: "110" }),
      ),
    ),
  roomJoinError: (s) =>
    xml(
      "presence",
      { from: `${s.room}/${s.nick}`, to: s.full, type: "error" },
      xml("error", { type: "cancel", by: s.room }, xml("conflict", { xmlns: NS_STANZAS })),
    ),
  contactPresence: (s, rng) =>
    xml(
      "presence",
      { from: `${s.owner}/phone`, to: s.full },
      xml("show", {}, rng.pick(["away", "dnd", "chat", "xa"])),
      xml("status", {}, "busy"),
      xml("priority", {}, "5"),
      xml("c", {
        xmlns: "http://jabber.org/protocol/caps",
        hash: "sha-1",
        node: "https://gajim.org",
        ver: "x",
      }),
    ),
  subscribe: (s, rng) =>
    xml("presence", { from: rng.pick([s.owner, s.stranger]), to: s.account, type: "subscribe" }),
  unsubscribed: (s) => xml("presence", { from: s.stranger, to: s.account, type: "unsubscribed" }),
  discoInfo: (s, rng) =>
    get(s, rng, xml("query", { xmlns: "http://jabber.org/protocol/disco#info" })),
  discoInfoNode: (s, rng) =>
    get(
      s,
      rng,
      xml("query", {
        xmlns: "http://jabber.org/protocol/disco#info",
        node: "https://clawxmpp.dev#abc",
      }),
    ),
  discoItems: (s, rng) =>
    get(s, rng, xml("query", { xmlns: "http://jabber.org/protocol/disco#items" }), s.stranger),
  ping: (s, rng) => get(s, rng, xml("ping", { xmlns: "urn:xmpp:ping" }), s.domain),
  roomSelfPing: (s, rng) =>
    get(s, rng, xml("ping", { xmlns: "urn:xmpp:ping" }), `${s.room}/${s.nick}`),
  version: (s, rng) => get(s, rng, xml("query", { xmlns: "jabber:iq:version" })),
  time: (s, rng) => get(s, rng, xml("time", { xmlns: "urn:xmpp:time" })),
  unknownSet: (s, rng) =>
    xml(
      "iq",
      { type: "set", from: `${s.stranger}/x`, to: s.full, id: id(rng) },
      xml("command", { xmlns: "http://jabber.org/protocol/commands", node: "x" }),
    ),
  rosterPush: (s, rng) =>
    xml(
      "iq",
      { type: "set", from: rng.chance(0.8) ? s.account : s.stranger, to: s.full, id: id(rng) },
      xml(
        "query",
        { xmlns: "jabber:iq:roster", ver: "v2" },
        xml(
          "item",
          { jid: s.owner, name: "Owner", subscription: rng.pick(["both", "to", "from", "remove"]) },
          xml("group", {}, "Friends"),
        ),
      ),
    ),
  result: (s, rng) =>
    xml(
      "iq",
      {
        type: "result",
        from: rng.pick([s.domain, s.room, `upload.${s.domain}`]),
        to: s.full,
        id: pendingId(s, rng),
      },
      xml(
        "query",
        { xmlns: "http://jabber.org/protocol/disco#info" },
        xml("identity", { category: "store", type: "file", name: "HTTP File Upload" }),
        xml("feature", { var: "urn:xmpp:http:upload:0" }),
        xml("feature", { var: "http://jabber.org/protocol/muc" }),
        xml(
          "x",
          { xmlns: "jabber:x:data", type: "result" },
          xml(
            "field",
            { var: "FORM_TYPE", type: "hidden" },
            xml("value", {}, "urn:xmpp:http:upload:0"),
          ),
          xml("field", { var: "max-file-size" }, xml("value", {}, "5242880")),
        ),
      ),
    ),
  slotResult: (s, rng) =>
    xml(
      "iq",
      { type: "result", from: `upload.${s.domain}`, to: s.full, id: pendingId(s, rng) },
      xml(
        "slot",
        { xmlns: "urn:xmpp:http:upload:0" },
        xml(
          "put",
          { url: "https://upload.fuzz.test/put/x.png" },
          xml("header", { name: "Authorization" }, "t"),
        ),
        xml("get", { url: "https://upload.fuzz.test/get/x.png" }),
      ),
    ),
  emptyResult: (s, rng) =>
    xml("iq", { type: "result", from: s.domain, to: s.full, id: pendingId(s, rng) }),
  errorResult: (s, rng) =>
    xml(
      "iq",
      { type: "error", from: rng.pick([s.domain, s.room]), to: s.full, id: pendingId(s, rng) },
      xml("error", { type: "cancel" }, xml("item-not-found", { xmlns: NS_STANZAS })),
    ),
  archiveFin: (s, rng) =>
    xml(
      "iq",
      { type: "result", from: s.account, to: s.full, id: pendingId(s, rng) },
      xml(
        "fin",
        { xmlns: "urn:xmpp:mam:2", complete: rng.pick(["true", "false"]) },
        xml(
          "set",
          { xmlns: "http://jabber.org/protocol/rsm" },
          xml("first", { index: "0" }, "a1"),
          xml("last", {}, "a9"),
          xml("count", {}, "9"),
        ),
      ),
    ),
};
