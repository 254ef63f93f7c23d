/**
 * Seeds for the newer plugins: PEP and pubsub event notifications
 * (XEP-0060 §7.1.2, XEP-0163) carrying avatar metadata (XEP-0084), nickname
 * (XEP-0172) and mood (XEP-0107); vCard avatar hashes in presence
 * (XEP-0153); ad-hoc command requests (XEP-0050 §4) with data forms
 * (XEP-0004).
 */
import { xml } from "@clawxmpp/core";
import type { SeedBuilder } from "./corpus-messages.js";
import type { Rng } from "./prng.js";
import type { FuzzScene } from "./scene.js";

const NS_EVENT = "http://jabber.org/protocol/pubsub#event";
const NS_COMMANDS = "http://jabber.org/protocol/commands";
const id = (rng: Rng) => `x-${rng.int(1e9).toString(36)}`;
const contact = (s: FuzzScene, rng: Rng) => rng.pick([s.owner, s.stranger]);

const event = (from: string, node: string, ...items: ReturnType<typeof xml>[]) =>
  xml(
    "message",
    { from, type: "headline", id: `e-${node.length}` },
    xml("event", { xmlns: NS_EVENT }, xml("items", { node }, ...items)),
  );

/** Seed builders for pubsub, profile and commands traffic. */
export const EXTENSION_SEEDS: Record<string, SeedBuilder> = {
  avatarMetadata: (s, rng) =>
    event(
      contact(s, rng),
      "urn:xmpp:avatar:metadata",
      xml(
        "item",
        { id: "111f4b3c50d7b0df729d299bc6f8e9ef9066971f" },
        xml(
          "metadata",
          { xmlns: "urn:xmpp:avatar:metadata" },
          xml("info", {
            bytes: "12345",
            id: "111f4b3c50d7b0df729d299bc6f8e9ef9066971f",
            height: "64",
            width: "64",
            type: "image/png",
          }),
        ),
      ),
    ),
  nickname: (s, rng) =>
    event(
      contact(s, rng),
      "http://jabber.org/protocol/nick",
      xml(
        "item",
        { id: "current" },
        xml("nick", { xmlns: "http://jabber.org/protocol/nick" }, "Al"),
      ),
    ),
  mood: (s, rng) =>
    event(
      contact(s, rng),
      "http://jabber.org/protocol/mood",
      xml(
        "item",
        { id: "current" },
        xml(
          "mood",
          { xmlns: "http://jabber.org/protocol/mood" },
          xml(rng.pick(["happy", "annoyed", "bogus"])),
          xml("text", {}, "yay"),
        ),
      ),
    ),
  pubsubRetract: (s) =>
    xml(
      "message",
      { from: "pubsub.fuzz.test", to: s.full },
      xml(
        "event",
        { xmlns: NS_EVENT },
        xml("items", { node: "news" }, xml("retract", { id: "a1" })),
      ),
    ),
  pubsubPurgeDelete: (s, rng) =>
    xml(
      "message",
      { from: "pubsub.fuzz.test", to: s.full },
      xml("event", { xmlns: NS_EVENT }, xml(rng.pick(["purge", "delete"]), { node: "news" })),
    ),
  vcardPhoto: (s, rng) =>
    xml(
      "presence",
      { from: `${contact(s, rng)}/phone`, to: s.full },
      xml(
        "x",
        { xmlns: "vcard-temp:x:update" },
        xml("photo", {}, "01b87fcd030b72895ff8e88db57ec525450f000d"),
      ),
    ),
  commandList: (s, rng) =>
    xml(
      "iq",
      { type: "get", from: `${contact(s, rng)}/pc`, to: s.full, id: id(rng) },
      xml("query", { xmlns: "http://jabber.org/protocol/disco#items", node: NS_COMMANDS }),
    ),
  commandExecute: (s, rng) =>
    xml(
      "iq",
      { type: "set", from: `${contact(s, rng)}/pc`, to: s.full, id: id(rng) },
      xml("command", { xmlns: NS_COMMANDS, node: "fuzz-profile", action: "execute" }),
    ),
  commandSubmit: (s, rng) =>
    xml(
      "iq",
      { type: "set", from: `${contact(s, rng)}/pc`, to: s.full, id: id(rng) },
      xml(
        "command",
        {
          xmlns: NS_COMMANDS,
          node: "fuzz-profile",
          sessionid: rng.pick(["s1", "", "unknown"]),
          action: rng.pick(["next", "complete", "prev", "cancel", "execute"]),
        },
        xml(
          "x",
          { xmlns: "jabber:x:data", type: "submit" },
          xml("field", { var: "name" }, xml("value", {}, "Alice")),
          xml("field", { var: "age", type: "text-single" }, xml("value", {}, "42")),
        ),
      ),
    ),
};
