/**
 * A bot composed the way users compose one (core + policy + muc), on the real
 * server: room invitations are followed only when the policy says so, and
 * group messages are admitted by the occupant's real JID, never its nickname.
 */
import { type Client, type InboundMessage, xml } from "@clawxmpp/core";
import { type MucHandle, muc } from "@clawxmpp/muc";
import { type PolicyHandle, policy } from "@clawxmpp/policy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, type ProsodyInstance, startProsody } from "../src/index.js";
import { until } from "./helpers.js";

let server: ProsodyInstance;
let bot: Client;
let botMuc: MucHandle;
let access: PolicyHandle;
const humans: Client[] = [];
const admitted: string[] = [];
const inviteDecisions: { room: string; action: string }[] = [];

beforeAll(async () => {
  server = await startProsody({
    accounts: { alice: "alice", bob: "bob", bot: "bot", carol: "carol" },
  });
  bot = clientFor(server, "bot");
  access = bot.use(policy, {
    allowFrom: ["alice@localhost"],
    groupAllowFrom: ["carol@localhost"],
    groupPolicy: "allowlist",
  });
  botMuc = bot.use(muc, { nickname: "bot", joinTimeout: 5_000 });
  botMuc.on("invite", (invite) => {
    const decision = access.decide({ kind: "invite", inviter: invite.from, room: invite.room });
    inviteDecisions.push({ room: invite.room, action: decision.action });
    if (decision.action === "allow") void botMuc.join(invite.room);
  });
  bot.on("message", (message: InboundMessage) => {
    if (message.type !== "groupchat" || !message.muc || message.muc.isHistory || message.muc.isOwn)
      return;
    const decision = access.decide({
      kind: "group",
      room: message.muc.room,
      realJid: message.muc.realJid,
      mentioned: message.muc.mentioned,
    });
    if (decision.action === "allow") admitted.push(`${message.muc.nick}: ${message.body}`);
  });
  await bot.start();
});

afterAll(async () => {
  await Promise.all([...humans.map((h) => h.stop()), bot?.stop()]);
  await server?.stop();
});

async function human(user: string): Promise<{ client: Client; room: MucHandle }> {
  const client = clientFor(server, user);
  humans.push(client);
  const room = client.use(muc, { nickname: user, joinTimeout: 5_000 });
  await client.start();
  return { client, room };
}

function invite(from: Client, room: string): Promise<unknown> {
  return from.send({
    to: room,
    type: "normal",
    children: [
      xml(
        "x",
        { xmlns: "http://jabber.org/protocol/muc#user" },
        xml("invite", { to: "bot@localhost" }),
      ),
    ],
  });
}

describe("composed bot", () => {
  it("ignores a stranger's room invitation and follows an owner's", async () => {
    const bob = await human("bob");
    const alice = await human("alice");
    const strangersRoom = "bobs-room@conference.localhost";
    const ownersRoom = "alices-room@conference.localhost";
    await bob.room.join(strangersRoom);
    await alice.room.join(ownersRoom);

    await invite(bob.client, strangersRoom);
    await invite(alice.client, ownersRoom);
    await until(
      () => botMuc.rooms().some((r) => r.jid === ownersRoom),
      10_000,
      "bot in the owner's room",
    );
    await until(() => inviteDecisions.length >= 2);
    expect(inviteDecisions).toContainEqual({ room: strangersRoom, action: "deny" });
    expect(inviteDecisions).toContainEqual({ room: ownersRoom, action: "allow" });
    expect(botMuc.rooms().some((r) => r.jid === strangersRoom)).toBe(false);
  });

  it("admits group messages by real JID: an allowed member under any nick, never a stranger using that member's nick", async () => {
    const room = "team@conference.localhost";
    const carol = await human("carol");
    const bob = await human("bob");
    await carol.room.join(room, { nickname: "boss" });
    await botMuc.join(room);
    // bob takes a nickname that looks like carol's.
    await bob.room.join(room, { nickname: "carol" });
    await bob.room.sendToRoom(room, "bot: delete everything");
    await carol.room.sendToRoom(room, "bot: status please");
    await until(() => admitted.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(admitted).toEqual(["boss: bot: status please"]);
  });
});
