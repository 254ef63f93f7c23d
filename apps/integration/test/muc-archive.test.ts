/**
 * `@clawxmpp/muc` `history()` against each real server of the matrix: a room's XEP-0313 archive
 * (Prosody's muc_mam, ejabberd's mod_mam on MUC), queried through core's `ctx.archive`, gives the
 * newest messages oldest first, with their room archive ids and nicks.
 */
import type { Client, InboundMessage } from "@clawxmpp/core";
import { type MucHandle, muc } from "@clawxmpp/muc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, serverKinds, startServer, type XmppServer } from "../src/index.js";
import { configureRoom, nextEvent } from "./helpers.js";

describe.each(serverKinds())("muc room archive against %s", (kind) => {
  let server: XmppServer;
  const clients: Client[] = [];
  let alice: Client;
  let aliceMuc: MucHandle;
  let bot: Client;
  let botMuc: MucHandle;

  function start(user: string, nickname: string) {
    const client = clientFor(server, user);
    clients.push(client);
    return { client, handle: client.use(muc, { nickname, joinTimeout: 5_000 }) };
  }

  beforeAll(async () => {
    server = await startServer({ kind });
    ({ client: alice, handle: aliceMuc } = start("alice", "alice"));
    ({ client: bot, handle: botMuc } = start("bot", "bot"));
    await Promise.all([alice.start(), bot.start()]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await server?.stop();
  });

  it("returns the newest messages of the room's archive, oldest first", async () => {
    const room = `archive-${Math.random().toString(36).slice(2, 8)}@${server.mucDomain}`;
    await aliceMuc.join(room);
    for (const body of ["one", "two", "three"]) {
      // Wait for each reflection: the room has archived it by then.
      const reflected = nextEvent<InboundMessage>(
        alice,
        "message",
        (m) => m.from.bare === room && m.body === body,
      );
      await aliceMuc.sendToRoom(room, body);
      await reflected;
    }
    const history = await botMuc.history(room, { max: 2 });
    expect(history.unavailable).toBeUndefined();
    expect(history.messages.map((m) => [m.nick, m.message.body])).toEqual([
      ["alice", "two"],
      ["alice", "three"],
    ]);
    expect(history.messages[0]?.archiveId).toEqual(expect.any(String));
    expect(history.messages[0]?.delay?.stamp).toBeInstanceOf(Date);
    const all = await botMuc.history(room, { max: 10 });
    expect(all.messages.map((m) => m.message.body)).toEqual(["one", "two", "three"]);
    expect(all.complete).toBe(true);
  });

  it("reflects our own message with the room's stanza-id, which is its archive id (XEP-0424 target)", async () => {
    const room = `own-${Math.random().toString(36).slice(2, 8)}@${server.mucDomain}`;
    await botMuc.join(room);
    const reflected = nextEvent<InboundMessage>(
      bot,
      "message",
      (m) => m.from.bare === room && m.body === "mine",
    );
    const { id } = await botMuc.sendToRoom(room, "mine");
    const reflection = await reflected;
    expect(reflection.muc?.isOwn).toBe(true);
    expect(reflection.originId ?? reflection.id).toBe(id);
    const stanzaId = reflection.muc?.roomStanzaId;
    expect(stanzaId).toEqual(expect.any(String));
    expect(stanzaId).not.toBe(id);
    const history = await botMuc.history(room, { max: 1 });
    expect(history.messages.map((m) => [m.archiveId, m.message.body])).toEqual([
      [stanzaId, "mine"],
    ]);
  });

  // Prosody's join-history length field; the archive still has what join history leaves out.
  it.skipIf(kind === "ejabberd")(
    "has what join history leaves out, in a room with join history off",
    async () => {
      const room = `quiet-${Math.random().toString(36).slice(2, 8)}@${server.mucDomain}`;
      await aliceMuc.join(room);
      await configureRoom(alice.iq, room, { "muc#roomconfig_historylength": "0" });
      const reflected = nextEvent<InboundMessage>(alice, "message", (m) => m.body === "quiet");
      await aliceMuc.sendToRoom(room, "quiet");
      await reflected;
      const seen: InboundMessage[] = [];
      const off = bot.on("message", (m) => {
        if (m.from.bare === room) seen.push(m);
      });
      const subject = nextEvent<InboundMessage>(
        bot,
        "message",
        (m) => m.from.bare === room && m.subject !== undefined,
        10_000,
      ).catch(() => undefined);
      await botMuc.join(room);
      await subject;
      off();
      expect(seen.filter((m) => m.body === "quiet")).toEqual([]);
      const history = await botMuc.history(room, { max: 5 });
      expect(history.messages.map((m) => m.message.body)).toEqual(["quiet"]);
    },
  );
});
