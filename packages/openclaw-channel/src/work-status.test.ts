import { type InboundMessage, parseJid, xml } from "@clawxmpp/core";
import type { MarkersHandle } from "@clawxmpp/markers";
import { describe, expect, it } from "vitest";
import { createAgentPresence } from "./agent-presence.js";
import { createPeerFeatures } from "./peer-features.js";
import { resolveWorkSettings, type WorkConfig } from "./work-config.js";
import { createWorkStatus } from "./work-status.js";

const ALICE = "alice@example.org";
const message = { from: parseJid(`${ALICE}/phone`), id: "m1" } as unknown as InboundMessage;

/** A markers handle that records what it was asked to send. */
function fakeMarkers(log: string[]): MarkersHandle {
  return {
    composing: async (to: string) => void log.push(`composing ${to}`),
    active: async (to: string) => void log.push(`active ${to}`),
    react: async (to: string, id: string, emojis: readonly string[]) => {
      log.push(`react ${to} ${id} [${emojis.join(",")}]`);
      return { id: "r" };
    },
    markDisplayed: async () => {
      log.push("displayed");
      return true;
    },
    correct: async (to: string, id: string, body: string) => {
      log.push(`correct ${to} ${id} ${body}`);
      return { id: "c" };
    },
  } as unknown as MarkersHandle;
}

function setup(config: WorkConfig) {
  const log: string[] = [];
  let next = 0;
  const work = createWorkStatus({
    client: {
      send: async (m) => {
        log.push(`send ${m.to} ${m.body}`);
        return { id: `s${++next}` };
      },
    },
    markers: fakeMarkers(log),
    settings: resolveWorkSettings({ presence: { busy: false }, ...config }),
    presence: undefined,
    peers: undefined,
  });
  return { log, work };
}

describe("work status", () => {
  it("ack reaction, read marker and typing when a turn starts; the ack is removed at the end", async () => {
    const { log, work } = setup({ ackReaction: "👀", sendReadReceipts: true });
    const turn = work.begin({ conversation: ALICE, type: "chat", message, reference: "m1" });
    expect(log).toEqual([
      "composing alice@example.org",
      "react alice@example.org m1 [👀]",
      "displayed",
    ]);
    await turn.end();
    expect(log.slice(3)).toEqual(["react alice@example.org m1 []", "active alice@example.org"]);
    await turn.end();
    expect(log).toHaveLength(5);
  });

  it("no ack reaction and no read marker unless configured", async () => {
    const { log, work } = setup({});
    await work.begin({ conversation: ALICE, type: "chat", message, reference: "m1" }).end();
    expect(log).toEqual(["composing alice@example.org", "active alice@example.org"]);
  });

  it("block mode turns OpenClaw's block replies on; off leaves them to OpenClaw", () => {
    const block = setup({ streaming: { mode: "block" } }).work.begin({
      conversation: ALICE,
      type: "chat",
      message,
      reference: undefined,
    });
    expect(block.replyOptions).toEqual({ disableBlockStreaming: false });
    const off = setup({}).work.begin({
      conversation: ALICE,
      type: "chat",
      message,
      reference: undefined,
    });
    expect(off.replyOptions).toEqual({});
  });

  it("live mode in a room: partial text is sent, then the final text as a correction", async () => {
    const { log, work } = setup({ streaming: { mode: "live" } });
    const room = "room@muc.example.org";
    const turn = work.begin({ conversation: room, type: "groupchat", message, reference: "s" });
    expect(turn.replyOptions.disableBlockStreaming).toBe(true);
    (turn.replyOptions.onPartialReply as (p: { text: string }) => void)({ text: "Hel" });
    const taken = await turn.take({ text: "Hello", mediaUrl: "https://x/y.png" }, "final");
    expect(taken).toEqual({ rest: { mediaUrl: "https://x/y.png" }, sent: true });
    expect(log.filter((line) => /^(send|correct)/u.test(line))).toEqual([
      `send ${room} Hel`,
      `correct ${room} s1 Hello`,
    ]);
    // Tool payloads are not part of the live message.
    expect((await turn.take({ text: "tool says" }, "tool")).sent).toBe(false);
    await turn.end();
  });
});

describe("encrypted turns", () => {
  it("an OMEMO-encrypted message gets no live reply (its stanzas would leave in plaintext)", async () => {
    const { log, work } = setup({ streaming: { mode: "live" } });
    const turn = work.begin({
      conversation: ALICE,
      type: "chat",
      message,
      reference: "m1",
      encrypted: true,
    });
    expect(turn.replyOptions).toEqual({});
    expect(await turn.take({ text: "secret" }, "final")).toEqual({
      rest: { text: "secret" },
      sent: false,
    });
    expect(log.some((line) => line.startsWith("send"))).toBe(false);
    await turn.end();
  });
});

describe("peer features", () => {
  it("reads XEP-0308 support from disco#info, caches it, and treats no answer as none", async () => {
    const asked: string[] = [];
    const peers = createPeerFeatures({
      iq: {
        get: async (_child, to) => {
          asked.push(to!);
          if (to === "b@x/1") throw new Error("timeout");
          return xml(
            "iq",
            { type: "result" },
            xml(
              "query",
              { xmlns: "http://jabber.org/protocol/disco#info" },
              xml("feature", { var: "urn:xmpp:message-correct:0" }),
            ),
          );
        },
        set: async () => xml("iq"),
      },
    });
    expect(await peers.supportsCorrections("a@x/1")).toBe(true);
    expect(await peers.supportsCorrections("a@x/1")).toBe(true);
    expect(await peers.supportsCorrections("b@x/1")).toBe(false);
    expect(asked).toEqual(["a@x/1", "b@x/1"]);
  });
});

describe("agent presence", () => {
  it("shows dnd with the status text while busy, once for overlapping turns", async () => {
    const sent: string[] = [];
    const presence = createAgentPresence({
      client: {
        status: "online",
        sendPresence: async (_attrs, ...children) => {
          sent.push(children.map((child) => child.toString()).join(""));
        },
      },
      busyStatus: "Working",
      idleStatus: undefined,
    });
    const endA = presence.busy();
    const endB = presence.busy();
    expect(sent).toEqual(["<show>dnd</show><status>Working</status>"]);
    endA();
    endB();
    endB();
    presence.stop();
    expect(sent).toHaveLength(1);
  });
});
