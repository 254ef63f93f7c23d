import { xml } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { parseInvite } from "./invites.js";
import { mentionsNick, referencesMention } from "./mention.js";
import { mucOptionsSchema } from "./muc-options.js";
import { joinPresence, leavePresence, parseMucUser } from "./muc-presence.js";
import { destroyNotice } from "./muc-stanzas.fixture.js";
import { NS_MUC, NS_MUC_USER } from "./namespaces.js";

describe("join presence (XEP-0045 §7.2.1, §7.2.6, §7.2.14)", () => {
  it("asks for no history by default (Example 37 with maxstanzas='0')", () => {
    const p = joinPresence("coven@chat.shakespeare.lit", "thirdwitch", undefined, undefined);
    expect(p.attrs.to).toBe("coven@chat.shakespeare.lit/thirdwitch");
    expect(p.attrs.type).toBeUndefined();
    const x = p.getChild("x", NS_MUC);
    expect(x?.getChild("history")?.attrs).toEqual({ maxstanzas: "0" });
    expect(x?.getChild("password")).toBeUndefined();
  });

  it("carries the password (Example 27) and a since history request", () => {
    const p = joinPresence("coven@chat.shakespeare.lit", "thirdwitch", "cauldronburn", {
      since: new Date("1970-01-01T00:00:00.000Z"),
    });
    const x = p.getChild("x", NS_MUC);
    expect(x?.getChildText("password")).toBe("cauldronburn");
    expect(x?.getChild("history")?.attrs).toEqual({ since: "1970-01-01T00:00:00Z" });
  });

  it("builds the exit presence (Example 82)", () => {
    const p = leavePresence(
      "coven@chat.shakespeare.lit",
      "thirdwitch",
      "gone where the goblins go",
    );
    expect(p.attrs).toMatchObject({
      to: "coven@chat.shakespeare.lit/thirdwitch",
      type: "unavailable",
    });
    expect(p.getChildText("status")).toBe("gone where the goblins go");
  });
});

describe("muc#user presence parsing (§7.2.3, §15.2)", () => {
  it("reads item, status codes, actor and reason of a kick (Example 91)", () => {
    const stanza = xml(
      "presence",
      {
        from: "harfleur@chat.shakespeare.lit/pistol",
        to: "pistol@shakespeare.lit/harfleur",
        type: "unavailable",
      },
      xml(
        "x",
        { xmlns: NS_MUC_USER },
        xml(
          "item",
          { affiliation: "none", role: "none" },
          xml("actor", { nick: "Fluellen" }),
          xml("reason", {}, "Avaunt, you cullion!"),
        ),
        xml("status", { code: "110" }),
        xml("status", { code: "307" }),
      ),
    );
    const info = parseMucUser(stanza);
    expect([...(info?.codes ?? [])]).toEqual(["110", "307"]);
    expect(info).toMatchObject({
      role: "none",
      affiliation: "none",
      actor: "Fluellen",
      reason: "Avaunt, you cullion!",
    });
  });

  it("reads a destroy notice with the alternate venue (Example 203)", () => {
    const stanza = destroyNotice("heath@chat.shakespeare.lit/firstwitch");
    expect(parseMucUser(stanza)?.destroy).toEqual({
      alternate: "coven@chat.shakespeare.lit",
      reason: "Macbeth doth come.",
      password: undefined,
    });
  });

  it("ignores unknown roles, malformed codes and has no payload without muc#user", () => {
    const stanza = xml(
      "presence",
      { from: "r@c/n" },
      xml(
        "x",
        { xmlns: NS_MUC_USER },
        xml("item", { role: "king", affiliation: "god" }),
        xml("status", { code: "abc" }),
      ),
    );
    const info = parseMucUser(stanza);
    expect(info?.role).toBeUndefined();
    expect(info?.affiliation).toBeUndefined();
    expect(info?.codes.size).toBe(0);
    expect(parseMucUser(xml("presence", { from: "a@b" }))).toBeUndefined();
  });
});

describe("invitations", () => {
  it("parses a mediated invitation (XEP-0045 §7.8.2 Example 58)", () => {
    const stanza = xml(
      "message",
      { from: "coven@chat.shakespeare.lit", id: "nzd143v8", to: "hecate@shakespeare.lit" },
      xml(
        "x",
        { xmlns: NS_MUC_USER },
        xml(
          "invite",
          { from: "crone1@shakespeare.lit/desktop" },
          xml("reason", {}, "Hey Hecate, this is the place for all good witches!"),
        ),
        xml("password", {}, "cauldronburn"),
      ),
    );
    expect(parseInvite(stanza)).toEqual({
      room: "coven@chat.shakespeare.lit",
      from: "crone1@shakespeare.lit",
      reason: "Hey Hecate, this is the place for all good witches!",
      password: "cauldronburn",
      kind: "mediated",
    });
  });

  it("parses a direct invitation (XEP-0249 Example 1)", () => {
    const stanza = xml(
      "message",
      { from: "crone1@shakespeare.lit/desktop", to: "hecate@shakespeare.lit" },
      xml("x", {
        xmlns: "jabber:x:conference",
        jid: "darkcave@macbeth.shakespeare.lit",
        password: "cauldronburn",
        reason: "Hey Hecate, this is the place for all good witches!",
      }),
    );
    expect(parseInvite(stanza)).toEqual({
      room: "darkcave@macbeth.shakespeare.lit",
      from: "crone1@shakespeare.lit",
      reason: "Hey Hecate, this is the place for all good witches!",
      password: "cauldronburn",
      kind: "direct",
    });
  });

  it("rejects a mediated invitation from a full JID and a direct one without a room", () => {
    const fake = xml(
      "message",
      { from: "mallory@evil.example/res" },
      xml("x", { xmlns: NS_MUC_USER }, xml("invite", { from: "boss@corp.example" })),
    );
    expect(parseInvite(fake)).toBeUndefined();
    const noRoom = xml("message", { from: "a@b/c" }, xml("x", { xmlns: "jabber:x:conference" }));
    expect(parseInvite(noRoom)).toBeUndefined();
  });
});

describe("mentions", () => {
  it("matches the nick at word boundaries, case-insensitively", () => {
    expect(mentionsNick("hey Bot, how are you?", "bot")).toBe(true);
    expect(mentionsNick("bot: status", "bot")).toBe(true);
    expect(mentionsNick("@bot!", "bot")).toBe(true);
    expect(mentionsNick("robotics is fun", "bot")).toBe(false);
    expect(mentionsNick("bots everywhere", "bot")).toBe(false);
    expect(mentionsNick("ask ünïcode-bot.", "ünïcode-bot")).toBe(true);
    expect(mentionsNick("a (b) c", "(b)")).toBe(true);
    expect(mentionsNick(undefined, "bot")).toBe(false);
  });

  it("matches XEP-0372 mention references to our occupant JID only", () => {
    const stanza = xml(
      "message",
      {},
      xml("reference", {
        xmlns: "urn:xmpp:reference:0",
        type: "mention",
        uri: "xmpp:room@muc.example/bot",
        begin: "0",
        end: "3",
      }),
    );
    expect(referencesMention(stanza, ["room@muc.example/bot"])).toBe(true);
    expect(referencesMention(stanza, ["room@muc.example/other"])).toBe(false);
    const data = xml(
      "message",
      {},
      xml("reference", {
        xmlns: "urn:xmpp:reference:0",
        type: "data",
        uri: "xmpp:room@muc.example/bot",
      }),
    );
    expect(referencesMention(data, ["room@muc.example/bot"])).toBe(false);
  });
});

describe("options", () => {
  it("applies defaults and accepts both room forms", () => {
    const parsed = mucOptionsSchema.parse({
      nickname: "bot",
      rooms: [
        "a@conference.example",
        { jid: "b@conference.example", nickname: "b", password: "p" },
      ],
    });
    expect(parsed.joinTimeout).toBe(30_000);
    expect(parsed.selfPingInterval).toBe(300_000);
    expect(parsed.rooms).toHaveLength(2);
  });

  it("rejects a room JID with a resource and an empty nickname", () => {
    expect(mucOptionsSchema.safeParse({ nickname: "bot", rooms: ["a@b/c"] }).success).toBe(false);
    expect(mucOptionsSchema.safeParse({ nickname: "" }).success).toBe(false);
  });
});
