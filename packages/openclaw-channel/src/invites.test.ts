import type { InviteEvent, RoomInfo } from "@clawxmpp/muc";
import { describe, expect, it } from "vitest";
import { parseXmppChannelConfig, resolveXmppAccount } from "./accounts.js";
import { policyFor } from "./channel-policy.js";
import { inviteFollower } from "./invites.js";

const ROOM = "team@conference.example.org";

function setup(raw: Record<string, unknown>) {
  const joins: { room: string; options: unknown }[] = [];
  const lines: string[] = [];
  const rooms = {
    join: async (room: string, options?: unknown) => {
      joins.push({ room, options });
      return {} as RoomInfo;
    },
    rooms: () => joins.map((j) => ({ jid: j.room }) as RoomInfo),
  };
  const account = resolveXmppAccount(parseXmppChannelConfig({ jid: "bot@example.org", ...raw }));
  const follow = inviteFollower(
    policyFor(account, () => false),
    rooms,
    (line) => lines.push(line),
  );
  return { follow, joins, lines };
}

const invite = (from: string | undefined, room = ROOM): InviteEvent => ({
  room,
  from,
  reason: undefined,
  password: "pw",
  kind: "direct",
});

describe("room invitations", () => {
  it("follows an owner's invitation, once", async () => {
    const { follow, joins } = setup({ allowFrom: ["owner@example.org"] });
    expect(await follow(invite("Owner@Example.org"))).toBe(true);
    expect(await follow(invite("owner@example.org"))).toBe(false);
    expect(joins).toEqual([{ room: ROOM, options: { password: "pw", autoRejoin: true } }]);
  });

  it("ignores strangers, hidden inviters, and everyone under groupPolicy disabled", async () => {
    const { follow, joins, lines } = setup({ allowFrom: ["owner@example.org"] });
    expect(await follow(invite("mallory@example.org"))).toBe(false);
    expect(await follow(invite(undefined))).toBe(false);
    const disabled = setup({ allowFrom: ["owner@example.org"], groupPolicy: "disabled" });
    expect(await disabled.follow(invite("owner@example.org"))).toBe(false);
    expect(joins).toEqual([]);
    expect(disabled.joins).toEqual([]);
    expect(lines.every((line) => line.startsWith("ignored invitation"))).toBe(true);
  });
});
