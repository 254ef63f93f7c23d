import type { InviteEvent, RoomInfo } from "@clawxmpp/muc";
import { describe, expect, it } from "vitest";
import { parseXmppChannelConfig, resolveXmppAccount } from "./accounts.js";
import { policyFor } from "./channel-policy.js";
import { inviteFollower } from "./invites.js";
import { createMucTrust } from "./muc-trust.js";

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
    createMucTrust(account),
  );
  return { follow, joins, lines };
}

const invite = (
  from: string | undefined,
  room = ROOM,
  kind: InviteEvent["kind"] = "direct",
): InviteEvent => ({ room, from, reason: undefined, password: "pw", kind });

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

  it("a mediated invitation counts only from a room on a trusted service", async () => {
    const { follow, joins, lines } = setup({ allowFrom: ["owner@example.org"] });
    // A hostile service claims the owner invited us: ignored.
    expect(await follow(invite("owner@example.org", "trap@evil.example", "mediated"))).toBe(false);
    expect(lines[0]).toMatch(/untrusted service/u);
    // Our own server's service (default conference.<domain>): followed.
    expect(await follow(invite("owner@example.org", ROOM, "mediated"))).toBe(true);
    // The owner's own (direct) invitation to a room elsewhere: the sender is authenticated.
    expect(await follow(invite("owner@example.org", "ops@muc.other.example", "direct"))).toBe(true);
    expect(joins.map((j) => j.room)).toEqual([ROOM, "ops@muc.other.example"]);
  });

  it("trustedMucServices replaces the default; rooms in groups stay trusted", async () => {
    const { follow, joins } = setup({
      allowFrom: ["owner@example.org"],
      trustedMucServices: ["muc.partner.example"],
      groups: ["keep@elsewhere.example"],
    });
    expect(await follow(invite("owner@example.org", ROOM, "mediated"))).toBe(false);
    expect(await follow(invite("owner@example.org", "a@muc.partner.example", "mediated"))).toBe(
      true,
    );
    expect(await follow(invite("owner@example.org", "keep@elsewhere.example", "mediated"))).toBe(
      true,
    );
    expect(joins.map((j) => j.room)).toEqual(["a@muc.partner.example", "keep@elsewhere.example"]);
  });
});
