/**
 * The `omemo` plugin in rooms (`@clawxmpp/muc`) between two clawxmpp clients
 * over a real Prosody 0.12: a non-anonymous room carries encrypted messages
 * both ways, decrypted as from the occupants' real JIDs; a semi-anonymous room
 * (real JIDs shown only to moderators) gets a clear error instead.
 */
import type { InboundMessage } from "@clawxmpp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProsodyInstance, startProsody } from "../src/index.js";
import { configureRoom, nextEvent, until } from "./helpers.js";
import { type OmemoAccount, omemoAccount } from "./omemo-helpers.js";

let server: ProsodyInstance;
let alice: OmemoAccount;
let bob: OmemoAccount;
const jidOf = (user: string) => server.accounts[user]?.jid as string;

function roomMessage(to: OmemoAccount, room: string, body: string) {
  return nextEvent<InboundMessage>(
    to.client,
    "message",
    (m) => m.muc?.room === room && m.body === body,
    15_000,
  );
}

async function joinBoth(room: string) {
  await alice.rooms.join(room);
  await bob.rooms.join(room);
  await until(() => alice.rooms.occupant(room, "bob") !== undefined, 5_000, "alice to see bob");
}

describe("OMEMO plugin in rooms", () => {
  beforeAll(async () => {
    server = await startProsody({ accounts: { alice: "alice", bob: "bob" } });
    [alice, bob] = await Promise.all([omemoAccount(server, "alice"), omemoAccount(server, "bob")]);
  });

  afterAll(async () => {
    await Promise.all([alice?.client.stop(), bob?.client.stop()]);
    await server?.stop();
  });

  it("a non-anonymous room: encrypted both ways, read as from the occupants' real JIDs", async () => {
    const room = `open@${server.mucDomain}`;
    await joinBoth(room);
    const bobGets = roomMessage(bob, room, "hello room");
    await alice.om.sendEncrypted(room, "hello room", { type: "groupchat" });
    const got = await bobGets;
    expect(got.omemo).toMatchObject({ jid: jidOf("alice"), encrypted: true });
    expect(got.muc).toMatchObject({ nick: "alice", realJid: jidOf("alice") });

    const aliceGets = roomMessage(alice, room, "hello alice, in the room");
    await bob.om.sendEncrypted(room, "hello alice, in the room", { type: "groupchat" });
    expect((await aliceGets).omemo?.jid).toBe(jidOf("bob"));
  });

  it("a semi-anonymous room is refused with a clear error, both when sending and receiving", async () => {
    const room = `masked@${server.mucDomain}`;
    await alice.rooms.join(room);
    await configureRoom(alice.client.iq, room, { "muc#roomconfig_whois": "moderators" });
    await joinBoth(room);
    await expect(bob.om.sendEncrypted(room, "cannot", { type: "groupchat" })).rejects.toThrow(
      /does not reveal the real JID .*non-anonymous room/,
    );

    // Alice moderates and sees bob's JID, so she can encrypt; bob cannot tell who she is.
    const refused = new Promise<{ condition: string; reason: string }>((resolve) =>
      bob.om.once("undecryptable", resolve),
    );
    await alice.om.sendEncrypted(room, "from the owner", { type: "groupchat" });
    const event = await refused;
    expect(event.condition).toBe("room");
    expect(event.reason).toMatch(/non-anonymous room/);
  });
});
