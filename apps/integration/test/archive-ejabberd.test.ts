/**
 * Issue #18 defect 7: ejabberd's archive results carry a `<stanza-id>` by the
 * account equal to the MAM result id; such a message must be handed over once
 * (not dropped as a duplicate of itself), and `caughtUp.fetched` counts what
 * was handed over. The stanza is the one quoted in the issue, played through
 * `@clawxmpp/test`'s fake server into a client with `archive: { catchUp: true }`
 * (the real ejabberd harness is built elsewhere).
 */
import {
  type Client,
  createClient,
  type Element,
  type InboundMessage,
  memoryCursor,
  xml,
} from "@clawxmpp/core";
import { fakeServer } from "@clawxmpp/test";
import { afterEach, describe, expect, it } from "vitest";
import { nextEvent } from "./helpers.js";

const NS_MAM = "urn:xmpp:mam:2";
const NS_RSM = "http://jabber.org/protocol/rsm";
const ACCOUNT = "carol@localhost";

let client: Client | undefined;

afterEach(async () => {
  await client?.stop();
  client = undefined;
});

/** A client whose cursor is already placed, started; its catch-up query is waiting for answers. */
async function catchingUp() {
  const server = fakeServer({ jid: `${ACCOUNT}/mam2` });
  const c = createClient({
    jid: ACCOUNT,
    password: "carol",
    transport: server.factory,
    carbons: false,
    keepalive: { interval: 0 },
    archive: { catchUp: true, cursor: memoryCursor("1796132063500000") },
  });
  client = c;
  const got: InboundMessage[] = [];
  c.on("message", (m) => got.push(m));
  const caughtUp = nextEvent<{ fetched: number }>(c, "caughtUp");
  const query = server.nextSent(isMamQuery);
  await c.start();
  const q = await query;
  const queryid = q.getChild("query", NS_MAM)?.attrs.queryid ?? "";
  return { server, c, got, caughtUp, q, queryid };
}

function isMamQuery(element: Element): boolean {
  return element.name === "iq" && element.getChild("query", NS_MAM) !== undefined;
}

/** The result as ejabberd sends it (issue #18), for query `queryid`. */
function ejabberdResult(queryid: string, id: string, body: string, msgId: string): Element {
  return xml(
    "message",
    { to: `${ACCOUNT}/mam2`, from: ACCOUNT },
    xml(
      "result",
      { id, queryid, xmlns: NS_MAM },
      xml(
        "forwarded",
        { xmlns: "urn:xmpp:forward:0" },
        xml(
          "message",
          { to: ACCOUNT, from: "bob@localhost/main", type: "chat", id: msgId },
          xml("stanza-id", { by: ACCOUNT, id, xmlns: "urn:xmpp:sid:0" }),
          xml("body", {}, body),
        ),
        xml("delay", { xmlns: "urn:xmpp:delay", stamp: "2026-11-30T10:00:00Z" }),
      ),
    ),
  );
}

function fin(query: Element, last: string): Element {
  return xml(
    "iq",
    { type: "result", id: query.attrs.id, to: `${ACCOUNT}/mam2` },
    xml(
      "fin",
      { xmlns: NS_MAM, complete: "true" },
      xml("set", { xmlns: NS_RSM }, xml("last", {}, last)),
    ),
  );
}

describe("an ejabberd-shaped archive result", () => {
  it("is handed over once and counted in caughtUp.fetched", async () => {
    const { server, got, caughtUp, q, queryid } = await catchingUp();
    server.receive(ejabberdResult(queryid, "1796132063544413", "hi", "88f5"));
    server.receive(fin(q, "1796132063544413"));
    const { fetched } = await caughtUp;
    process.stdout.write(
      `ejabberd-shaped result: emitted ${got.length} time(s), caughtUp.fetched = ${fetched}\n`,
    );
    expect(got.map((m) => m.body)).toEqual(["hi"]);
    expect(got[0]).toMatchObject({ via: "archive", id: "88f5" });
    expect(fetched).toBe(1);
  });

  it("still drops a real duplicate, and does not count it as fetched", async () => {
    const { server, c, got, caughtUp, q, queryid } = await catchingUp();
    // The same message arrives live (with its stanza-id) before the archive hands it over again.
    const live = nextEvent<InboundMessage>(c, "message", (m) => m.body === "seen live");
    server.receive(
      xml(
        "message",
        { to: ACCOUNT, from: "bob@localhost/main", type: "chat", id: "live1" },
        xml("stanza-id", { by: ACCOUNT, id: "1796132063544500", xmlns: "urn:xmpp:sid:0" }),
        xml("body", {}, "seen live"),
      ),
    );
    await live;
    server.receive(ejabberdResult(queryid, "1796132063544500", "seen live", "live1"));
    server.receive(ejabberdResult(queryid, "1796132063544600", "only archived", "arch1"));
    server.receive(fin(q, "1796132063544600"));
    const { fetched } = await caughtUp;
    process.stdout.write(
      `archive with one duplicate: bodies ${JSON.stringify(got.map((m) => m.body))}, caughtUp.fetched = ${fetched}\n`,
    );
    expect(got.map((m) => m.body)).toEqual(["seen live", "only archived"]);
    expect(fetched).toBe(1);
  });
});
