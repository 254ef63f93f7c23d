/**
 * Core's archive query API for plugins (`ctx.archive.query`, XEP-0313 §4 + XEP-0059) on the
 * fake transport: results go to the caller, never the message pipeline; a forged result (unknown
 * query id, or from another JID than the archive asked) is dropped (XEP-0313 §5.1).
 */
import {
  type ArchiveQuerier,
  definePlugin,
  type Element,
  type InboundMessage,
  xml,
} from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { archiveResult, fakeClient, iq } from "./index.js";

const ACCOUNT = "bot@example.test";
const ROOM = "room@muc.example.test";

async function setup() {
  const { server, client } = fakeClient({ fakeServer: { jid: `${ACCOUNT}/r1` }, carbons: false });
  let archive: ArchiveQuerier | undefined;
  client.use(
    definePlugin("archive-user", (ctx) => {
      archive = ctx.archive;
      return { stop() {} };
    }),
    {},
  );
  const got: InboundMessage[] = [];
  client.on("message", (m) => got.push(m));
  await client.start();
  if (!archive) throw new Error("plugin not set up");
  return { server, client, archive, got };
}

function result(from: string | undefined, queryid: string, id: string, body: string): Element {
  const inner = xml(
    "message",
    { from: `${ROOM}/alice`, type: "groupchat", id: `m-${id}` },
    xml("body", {}, body),
  );
  return archiveResult(
    from,
    `${ACCOUNT}/r1`,
    { queryid, id, stamp: "2026-11-30T10:00:00Z" },
    inner,
  );
}

function fin(id: string, complete: boolean, first?: string, last?: string): Element {
  return iq(
    "result",
    { id, from: ROOM },
    xml(
      "fin",
      { xmlns: "urn:xmpp:mam:2", ...(complete ? { complete: "true" } : {}) },
      xml(
        "set",
        { xmlns: "http://jabber.org/protocol/rsm" },
        ...(first ? [xml("first", {}, first)] : []),
        ...(last ? [xml("last", {}, last)] : []),
      ),
    ),
  );
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("ctx.archive.query", () => {
  it("sends a bounded RSM query to the room and returns its results with cursors", async () => {
    const { server, archive, got } = await setup();
    const sentQuery = server.nextSent((e) => e.getChild("query", "urn:xmpp:mam:2") !== undefined);
    const page = archive.query(ROOM, { max: 2, before: "" });
    const sent = await sentQuery;
    expect(sent.attrs.to).toBe(ROOM);
    const query = sent.getChild("query", "urn:xmpp:mam:2");
    const set = query?.getChild("set", "http://jabber.org/protocol/rsm");
    expect(set?.getChildText("max")).toBe("2");
    expect(set?.getChild("before")).toBeDefined();
    const queryid = query?.attrs.queryid ?? "";
    server.receive(result(ROOM, queryid, "a1", "one"));
    server.receive(result(ROOM, queryid, "a2", "two"));
    server.receive(result(ROOM, queryid, "a3", "beyond max"));
    server.receive(fin(sent.attrs.id ?? "", false, "a1", "a2"));
    const answer = await page;
    expect(answer.complete).toBe(false);
    expect(answer.first).toBe("a1");
    expect(answer.last).toBe("a2");
    expect(answer.messages.map((m) => [m.archiveId, m.message.body])).toEqual([
      ["a1", "one"],
      ["a2", "two"],
    ]);
    expect(answer.messages[0]?.message.from.full).toBe(`${ROOM}/alice`);
    expect(answer.messages[0]?.delay?.stamp.toISOString()).toBe("2026-11-30T10:00:00.000Z");
    await settle();
    // Not handed to the live pipeline.
    expect(got).toHaveLength(0);
  });

  it("drops forged results: another JID with our query id, or an unknown query id", async () => {
    const { server, archive, got } = await setup();
    const sentQuery = server.nextSent((e) => e.getChild("query", "urn:xmpp:mam:2") !== undefined);
    const page = archive.query(ROOM, { max: 10 });
    const sent = await sentQuery;
    const queryid = sent.getChild("query", "urn:xmpp:mam:2")?.attrs.queryid ?? "";
    // A stranger guessing (or sniffing) the query id, an occupant of the room, our own account
    // (not the archive asked), and the room with an unknown query id.
    server.receive(result("mallory@evil.test", queryid, "f1", "forged"));
    server.receive(result(`${ROOM}/mallory`, queryid, "f2", "forged occupant"));
    server.receive(result(undefined, queryid, "f3", "forged own"));
    server.receive(result(ROOM, "not-a-query", "f4", "forged unknown"));
    server.receive(result(ROOM, queryid, "ok", "real"));
    server.receive(fin(sent.attrs.id ?? "", true));
    const answer = await page;
    expect(answer.complete).toBe(true);
    expect(answer.messages.map((m) => m.message.body)).toEqual(["real"]);
    await settle();
    expect(got).toHaveLength(0);
    // After the query ended its id is no longer accepted either.
    server.receive(result(ROOM, queryid, "late", "late"));
    await settle();
    expect(got).toHaveLength(0);
  });

  it("queries the account's own archive without a to, with a filter form", async () => {
    const { server, archive } = await setup();
    const sentQuery = server.nextSent((e) => e.getChild("query", "urn:xmpp:mam:2") !== undefined);
    const page = archive.query(ACCOUNT, {
      max: 5,
      with: "alice@example.test",
      start: new Date("2026-11-30T10:00:00.500Z"),
    });
    const sent = await sentQuery;
    expect(sent.attrs.to).toBeUndefined();
    const fields = sent
      .getChild("query", "urn:xmpp:mam:2")
      ?.getChild("x", "jabber:x:data")
      ?.getChildren("field")
      .map((f) => [f.attrs.var, f.getChildText("value")]);
    expect(fields).toEqual([
      ["FORM_TYPE", "urn:xmpp:mam:2"],
      ["with", "alice@example.test"],
      ["start", "2026-11-30T10:00:00Z"],
    ]);
    const queryid = sent.getChild("query", "urn:xmpp:mam:2")?.attrs.queryid ?? "";
    server.receive(result(undefined, queryid, "o1", "mine"));
    server.receive(
      iq("result", { id: sent.attrs.id ?? "" }, xml("fin", { xmlns: "urn:xmpp:mam:2" })),
    );
    const answer = await page;
    expect(answer.messages.map((m) => m.message.body)).toEqual(["mine"]);
    expect(answer.complete).toBe(false);
  });

  it("refuses an unbounded or malformed request", async () => {
    const { archive } = await setup();
    await expect(archive.query(ROOM, { max: 0 })).rejects.toThrow(/max/);
    await expect(archive.query(ROOM, { max: 100_000 })).rejects.toThrow(/max/);
    await expect(archive.query(`${ROOM}/nick`, { max: 5 })).rejects.toThrow(/bare JID/);
  });
});
