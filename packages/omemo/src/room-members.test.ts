import { type Element, type IqCaller, xml } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { affiliatedJids, RoomMembers } from "./room-members.js";

const NS = "http://jabber.org/protocol/muc#admin";
const answer = (...jids: string[]) =>
  xml(
    "iq",
    { type: "result" },
    xml("query", { xmlns: NS }, ...jids.map((jid) => xml("item", { jid, affiliation: "member" }))),
  );

describe("room members", () => {
  it("reads bare JIDs from an affiliation list, skipping what is not an account", () => {
    expect(
      affiliatedJids(
        answer("alice@example.org/phone", "example.org", "not a jid@@", "bob@example.org"),
      ),
    ).toEqual(["alice@example.org", "bob@example.org"]);
  });

  it("merges the member, admin and owner lists; a refused list leaves the others; answers are cached", async () => {
    const asked: string[] = [];
    let now = 0;
    const iq: IqCaller = {
      async get(child: Element) {
        const affiliation = child.getChild("item")?.attrs.affiliation ?? "";
        asked.push(affiliation);
        if (affiliation === "admin") throw new Error("forbidden");
        return affiliation === "owner" ? answer("owner@example.org") : answer("m@example.org");
      },
      set: () => Promise.reject(new Error("unused")),
    };
    const members = new RoomMembers(iq, () => now);
    expect((await members.of("room@muc.example.org")).sort()).toEqual([
      "m@example.org",
      "owner@example.org",
    ]);
    await members.of("room@muc.example.org");
    expect(asked).toHaveLength(3);
    now = 61_000;
    await members.of("room@muc.example.org");
    expect(asked).toHaveLength(6);
  });
});
