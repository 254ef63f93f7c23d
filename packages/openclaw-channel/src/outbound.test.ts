import { ClawXmppError } from "@clawxmpp/core";
import { describe, expect, it, onTestFinished } from "vitest";
import { type LiveSession, registerLiveClient } from "./live-clients.js";
import {
  looksLikeXmppId,
  normaliseXmppTarget,
  sendXmppMedia,
  sendXmppText,
  xmppMessaging,
  xmppOutbound,
} from "./outbound.js";
import { PAIRING_APPROVED_MESSAGE, xmppPairing } from "./pairing.js";
import { botClient } from "./test-harness.fixture.js";

/** A bare client (no plugins) online as `accountId`'s live session, with `session`'s extras. */
async function liveAccount(accountId = "default", session: Omit<LiveSession, "client"> = {}) {
  const { server, client } = botClient();
  await client.start();
  onTestFinished(registerLiveClient(accountId, { client, ...session }));
  return server;
}

describe("targets", () => {
  it.each([
    ["alice@example.org", "alice@example.org"],
    [" xmpp:Alice@Example.org ", "alice@example.org"],
    ["xmpp:room:lobby@conference.example.org", "lobby@conference.example.org"],
    ["alice@example.org/phone", "alice@example.org"],
  ])("normalises %j to %j", (raw, expected) => {
    expect(normaliseXmppTarget(raw)).toBe(expected);
    expect(looksLikeXmppId(raw)).toBe(true);
    expect(xmppMessaging.targetResolver.looksLikeId(raw)).toBe(true);
  });

  it.each(["alice", "", "example.org", "@example.org", "a@"])("rejects %j", (raw) => {
    expect(normaliseXmppTarget(raw)).toBeUndefined();
    expect(looksLikeXmppId(raw)).toBe(false);
    const resolved = xmppOutbound.resolveTarget({ to: raw });
    expect(resolved.ok).toBe(false);
  });

  it("resolveTarget returns the normalised JID", () => {
    expect(xmppOutbound.resolveTarget({ to: "xmpp:Bob@example.org" })).toEqual({
      ok: true,
      to: "bob@example.org",
    });
    expect(xmppOutbound.deliveryMode).toBe("gateway");
  });
});

describe("sendXmppText", () => {
  it("sends a chat message over the account's live connection", async () => {
    const server = await liveAccount();
    const sent = server.nextSent((el) => el.name === "message");
    const result = await sendXmppText({ cfg: {}, to: "xmpp:Alice@example.org", text: "hello" });
    const stanza = await sent;
    expect(stanza.attrs.to).toBe("alice@example.org");
    expect(stanza.attrs.type).toBe("chat");
    expect(stanza.getChildText("body")).toBe("hello");
    expect(result).toMatchObject({
      channel: "xmpp",
      messageId: stanza.attrs.id,
      target: "alice@example.org",
    });
  });

  it("uses groupchat for a configured room of the account", async () => {
    const server = await liveAccount("work");
    const sent = server.nextSent((el) => el.name === "message");
    await sendXmppText({
      cfg: {
        channels: { xmpp: { accounts: { work: { groups: ["lobby@conference.example.org"] } } } },
      },
      to: "lobby@conference.example.org",
      text: "hi room",
      accountId: "work",
    });
    expect((await sent).attrs.type).toBe("groupchat");
  });

  it("fails with not-connected when the account is not running here", async () => {
    const error = await sendXmppText({
      cfg: {},
      to: "a@example.org",
      text: "x",
      accountId: "nope",
    }).catch((e: unknown) => e);
    expect(ClawXmppError.isInstance(error) && error.code).toBe("not-connected");
  });

  it("fails with a jid error for a target that is not a JID", async () => {
    await liveAccount();
    const error = await sendXmppText({ cfg: {}, to: "alice", text: "x" }).catch((e: unknown) => e);
    expect(ClawXmppError.isInstance(error) && error.code).toBe("jid");
  });
});

describe("pairing adapter", () => {
  it("normalises store entries to bare JIDs", () => {
    expect(xmppPairing.normalizeAllowEntry("xmpp:Alice@Example.org/phone")).toBe(
      "alice@example.org",
    );
    expect(xmppPairing.normalizeAllowEntry(" Weird ")).toBe("weird");
  });

  it("notifies an approved sender over the live connection", async () => {
    const server = await liveAccount();
    const sent = server.nextSent((el) => el.name === "message");
    await xmppPairing.notifyApproval({ cfg: {}, id: "alice@example.org", accountId: "default" });
    const stanza = await sent;
    expect(stanza.attrs.to).toBe("alice@example.org");
    expect(stanza.getChildText("body")).toBe(PAIRING_APPROVED_MESSAGE);
  });
});

describe("media", () => {
  async function withUpload() {
    const uploads: { to: string; size: number; options: unknown }[] = [];
    const server = await liveAccount("default", {
      upload: {
        sendFile: async (to, source, options) => {
          uploads.push({ to, size: (source as Uint8Array).length, options });
          return {
            id: "file-1",
            url: "https://upload.example.org/x/report.pdf",
            name: "report.pdf",
            size: 3,
            contentType: "application/pdf",
          };
        },
      },
    });
    return { server, uploads };
  }

  it("uploads local media read through OpenClaw's sandboxed reader, with the text as caption", async () => {
    const { uploads } = await withUpload();
    const read: string[] = [];
    const result = await sendXmppMedia({
      cfg: {},
      to: "alice@example.org",
      text: "the report",
      mediaUrl: "file:///workspace/out/report.pdf",
      mediaReadFile: async (path) => {
        read.push(path);
        return Buffer.from("pdf");
      },
    });
    expect(read).toEqual(["/workspace/out/report.pdf"]);
    expect(uploads).toEqual([
      {
        to: "alice@example.org",
        size: 3,
        options: { name: "report.pdf", size: 3, type: "chat", body: "the report" },
      },
    ]);
    expect(result).toMatchObject({ channel: "xmpp", messageId: "file-1" });
  });

  it("never reads local files without OpenClaw's reader, and sends remote URLs as links unfetched", async () => {
    const { server, uploads } = await withUpload();
    await expect(
      sendXmppMedia({ cfg: {}, to: "alice@example.org", text: "", mediaUrl: "/etc/passwd" }),
    ).rejects.toThrow(/no sandboxed file reader/u);
    await sendXmppMedia({
      cfg: {},
      to: "alice@example.org",
      text: "look",
      mediaUrl: "https://example.org/cat.png",
    });
    expect(uploads).toEqual([]);
    // Caption first, then the file as body = URL plus XEP-0066 OOB (how clients show files).
    const toAlice = server.sent.filter(
      (e) => e.name === "message" && e.attrs.to === "alice@example.org",
    );
    expect(toAlice.map((e) => e.getChildText("body"))).toEqual([
      "look",
      "https://example.org/cat.png",
    ]);
    const oob = toAlice[1]!.getChild("x", "jabber:x:oob");
    expect(oob?.getChildText("url")).toBe("https://example.org/cat.png");
    expect(oob?.getChildText("desc")).toBe("look");
    expect(xmppOutbound.sendMedia).toBe(sendXmppMedia);
  });
});
