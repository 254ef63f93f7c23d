import { parseJid, xml } from "@clawxmpp/core";
import type { RoomHistory as MucRoomHistory, RoomArchiveMessage } from "@clawxmpp/muc";
import { describe, expect, it } from "vitest";
import { fillRoomHistoryFromArchive } from "./room-archive-fill.js";
import { RoomHistory } from "./room-history.js";

const ROOM = "room@conference.example.test";
const at = (minute: number) => Date.UTC(2026, 10, 30, 10, minute);

function archived(id: string, nick: string, body: string, minute: number): RoomArchiveMessage {
  const stanza = xml(
    "message",
    { from: `${ROOM}/${nick}`, type: "groupchat", id: `o-${id}` },
    xml("body", {}, body),
  );
  const delay = { stamp: new Date(at(minute)), from: undefined };
  return {
    archiveId: id,
    delay,
    nick,
    stanza,
    message: {
      id: `o-${id}`,
      from: parseJid(`${ROOM}/${nick}`),
      to: undefined,
      type: "groupchat",
      body,
      stanza,
      delay,
      via: "archive",
      outgoing: false,
      stanzaIds: {},
    } as unknown as RoomArchiveMessage["message"],
  };
}

const answer = (messages: RoomArchiveMessage[], unavailable?: string): MucRoomHistory => ({
  messages,
  unavailable,
  complete: true,
});

describe("filling room history from the room's archive", () => {
  it("adds archived messages before the join history and live ones, without duplicates", async () => {
    const history = new RoomHistory();
    // Join history already gave a2 (by the room's stanza-id), then a live mention arrived.
    history.record(ROOM, { sender: "carol", body: "two", timestamp: at(2), messageId: "a2" });
    const mention = history.record(ROOM, {
      sender: "dave",
      body: "bot?",
      timestamp: at(9),
      messageId: "live",
    });
    const asked: unknown[] = [];
    const added = await fillRoomHistoryFromArchive(
      {
        history: async (room, options) => {
          asked.push([room, options]);
          return answer([
            archived("a1", "alice", "one", 1),
            archived("a2", "carol", "two", 2),
            archived("a3", "alice", "three", 3),
          ]);
        },
      },
      history,
      ROOM,
      5,
      () => {},
    );
    expect(asked).toEqual([[ROOM, { max: 5 }]]);
    expect(added).toBe(2);
    // The position handed out before the fill still sees everything older, in the archive's order.
    expect(history.before(ROOM, mention, 10).map((e) => [e.sender, e.body, e.messageId])).toEqual([
      ["alice", "one", "a1"],
      ["carol", "two", "a2"],
      ["alice", "three", "a3"],
    ]);
    // Join history replayed after the fill is recognised by id.
    const again = history.record(ROOM, {
      sender: "alice",
      body: "one",
      timestamp: 1,
      messageId: "a1",
    });
    expect(history.before(ROOM, again, 10)).toEqual([]);
  });

  it("adds nothing, with the reason logged, when the room has no archive or the query fails", async () => {
    const history = new RoomHistory();
    const lines: string[] = [];
    const none = await fillRoomHistoryFromArchive(
      { history: async () => answer([], "the room does not advertise urn:xmpp:mam:2") },
      history,
      ROOM,
      5,
      (line) => lines.push(line),
    );
    const failed = await fillRoomHistoryFromArchive(
      { history: async () => Promise.reject(new Error("timeout")) },
      history,
      ROOM,
      5,
      (line) => lines.push(line),
    );
    expect([none, failed]).toEqual([0, 0]);
    expect(lines).toEqual([
      `room archive of ${ROOM} not used: the room does not advertise urn:xmpp:mam:2`,
      `room archive of ${ROOM} not fetched: timeout`,
    ]);
    const seq = history.record(ROOM, { sender: "x", body: "y", timestamp: 1 });
    expect(history.before(ROOM, seq, 10)).toEqual([]);
  });

  it("asks nothing when historyLimit is 0", async () => {
    let asked = false;
    const added = await fillRoomHistoryFromArchive(
      {
        history: async () => {
          asked = true;
          return answer([]);
        },
      },
      new RoomHistory(),
      ROOM,
      0,
      () => {},
    );
    expect([added, asked]).toEqual([0, false]);
  });
});
