/**
 * Exhaustive tables: every policy × every kind of sender, so each cell of the
 * access matrix is pinned down and a regression names the exact cell.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createPolicy } from "./create-policy.js";
import type { Decision, PolicyEvent } from "./decision.js";
import type { DmPolicy, GroupPolicy, PolicyConfigInput } from "./policy-options.js";

const OWNER = "owner@example.org";
const LISTED = "friend@example.org";
const PAIRED = "paired@example.org";
const MEMBER = "member@example.org";
const STRANGER = "stranger@example.net";
const ROOM = "room@conference.example.org";

const base = {
  allowFrom: [OWNER],
  dmAllowlist: [LISTED],
  groupAllowFrom: [MEMBER],
} satisfies PolicyConfigInput;

function engine(extra: PolicyConfigInput = {}) {
  return createPolicy({ ...base, ...extra }, { isPaired: (jid) => jid === PAIRED });
}

type DmSender = "owner" | "dmAllowlisted" | "paired" | "stranger" | "invalid";
const dmSenders: Record<DmSender, string> = {
  // Resource and case differences must not matter: identity is the normalised bare JID.
  owner: "Owner@EXAMPLE.org/phone",
  dmAllowlisted: `${LISTED}/laptop`,
  paired: PAIRED,
  stranger: `${STRANGER}/x`,
  invalid: "not a jid@@",
};

const dmTable: Record<DmPolicy, Record<DmSender, Decision["action"]>> = {
  disabled: {
    owner: "allow",
    dmAllowlisted: "deny",
    paired: "deny",
    stranger: "deny",
    invalid: "deny",
  },
  open: {
    owner: "allow",
    dmAllowlisted: "allow",
    paired: "allow",
    stranger: "allow",
    invalid: "deny",
  },
  pairing: {
    owner: "allow",
    dmAllowlisted: "allow",
    paired: "allow",
    stranger: "pair",
    invalid: "deny",
  },
  allowlist: {
    owner: "allow",
    dmAllowlisted: "allow",
    paired: "deny",
    stranger: "deny",
    invalid: "deny",
  },
};

describe("decide: direct messages (dmPolicy × sender)", () => {
  for (const [policy, row] of Object.entries(dmTable) as [
    DmPolicy,
    Record<DmSender, Decision["action"]>,
  ][]) {
    for (const [sender, expected] of Object.entries(row) as [DmSender, Decision["action"]][]) {
      it(`dmPolicy=${policy}, ${sender} → ${expected}`, () => {
        const decision = engine({ dmPolicy: policy }).decide({
          kind: "dm",
          from: dmSenders[sender],
        });
        expect(decision.action).toBe(expected);
        expect(decision.reason.length).toBeGreaterThan(5);
        if (sender === "invalid") expect(decision.jid).toBeUndefined();
        else expect(decision.jid).toBe(sender === "owner" ? OWNER : decision.jid);
        if (sender === "owner") expect(decision.sender).toBe("owner");
      });
    }
  }

  it("defaults to pairing: a stranger must pair, and reasons name the policy", () => {
    const decision = createPolicy({}).decide({ kind: "dm", from: STRANGER });
    expect(decision).toEqual({
      action: "pair",
      reason: "dmPolicy=pairing: unknown sender must pair first",
      sender: "stranger",
      jid: STRANGER,
    });
  });

  it("empty lists admit nobody: allowlist with no entries denies everyone", () => {
    const policy = createPolicy({ dmPolicy: "allowlist" });
    for (const from of [OWNER, LISTED, STRANGER]) {
      expect(policy.decide({ kind: "dm", from }).action).toBe("deny");
    }
  });

  it("with no configuration, no random sender is ever allowed (fail closed)", () => {
    const policy = createPolicy({});
    fc.assert(
      fc.property(fc.string(), (from) => {
        expect(["pair", "deny"]).toContain(policy.decide({ kind: "dm", from }).action);
      }),
      { numRuns: 500 },
    );
  });

  it("strangers are never allowed under any policy but open", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<DmPolicy>("disabled", "pairing", "allowlist"),
        fc.stringMatching(/^[a-z]{1,8}@[a-z]{1,8}\.test$/u),
        (dmPolicy, from) => {
          expect(engine({ dmPolicy }).decide({ kind: "dm", from }).action).not.toBe("allow");
        },
      ),
    );
  });
});

type GroupSender = "owner" | "groupAllowFrom" | "stranger" | "hidden";
const groupSenders: Record<GroupSender, string | undefined> = {
  owner: `${OWNER}/desktop`,
  groupAllowFrom: MEMBER,
  stranger: STRANGER,
  hidden: undefined,
};

function expectedGroup(
  policy: GroupPolicy,
  sender: GroupSender,
  requireMention: boolean,
  mentioned: boolean,
): Decision["action"] {
  if (policy === "disabled") return "deny";
  if (policy === "allowlist" && (sender === "stranger" || sender === "hidden")) return "deny";
  if (requireMention && !mentioned) return "deny";
  return "allow";
}

describe("decide: group messages (groupPolicy × sender × requireMention × mentioned)", () => {
  for (const policy of ["open", "allowlist", "disabled"] as const) {
    for (const sender of Object.keys(groupSenders) as GroupSender[]) {
      for (const requireMention of [false, true]) {
        for (const mentioned of [false, true]) {
          const expected = expectedGroup(policy, sender, requireMention, mentioned);
          it(`groupPolicy=${policy}, ${sender}, requireMention=${requireMention}, mentioned=${mentioned} → ${expected}`, () => {
            const policyEngine = engine({
              groupPolicy: policy,
              groupSettings: { [ROOM]: { requireMention } },
            });
            const decision = policyEngine.decide({
              kind: "group",
              room: ROOM,
              realJid: groupSenders[sender],
              mentioned,
            });
            expect(decision.action).toBe(expected);
            expect(decision.reason.length).toBeGreaterThan(5);
            if (sender === "hidden") expect(decision.sender).toBe("hidden");
          });
        }
      }
    }
  }

  it("defaults to allowlist; groupAllowFrom falls back to allowFrom", () => {
    const policy = createPolicy({ allowFrom: [OWNER] });
    expect(policy.config.groupPolicy).toBe("allowlist");
    const event = (realJid: string | undefined): PolicyEvent => ({
      kind: "group",
      room: ROOM,
      realJid,
      mentioned: true,
    });
    expect(policy.decide(event(OWNER)).action).toBe("allow");
    expect(policy.decide(event(MEMBER)).action).toBe("deny");
    expect(policy.decide(event(MEMBER)).reason).toMatch(/allowFrom \(groupAllowFrom unset\)/u);
  });

  it("an empty groupAllowFrom admits only owners (no fallback to allow-all)", () => {
    const policy = createPolicy({ allowFrom: [OWNER], groupAllowFrom: [] });
    const event = (realJid: string): PolicyEvent => ({
      kind: "group",
      room: ROOM,
      realJid,
      mentioned: true,
    });
    expect(policy.decide(event(OWNER)).action).toBe("allow");
    expect(policy.decide(event(MEMBER)).action).toBe("deny");
    expect(createPolicy({}).decide(event(OWNER)).action).toBe("deny");
  });

  it("decides on the real JID, never on the room or a nickname", () => {
    const policy = engine();
    // An occupant JID (room/nick) taking the owner's name is not the owner.
    const spoof = policy.decide({
      kind: "group",
      room: ROOM,
      realJid: `${ROOM}/owner`,
      mentioned: true,
    });
    expect(spoof.action).toBe("deny");
    // Allow-listing the room itself does not admit its occupants.
    const roomListed = createPolicy({ groupAllowFrom: [ROOM] }).decide({
      kind: "group",
      room: ROOM,
      realJid: undefined,
      mentioned: true,
    });
    expect(roomListed.action).toBe("deny");
  });

  it("a disabled room refuses everyone, owners included; `*` sets the default", () => {
    const policy = engine({
      groupPolicy: "open",
      groupSettings: { [ROOM]: { enabled: false }, "*": { requireMention: true } },
    });
    expect(
      policy.decide({ kind: "group", room: ROOM, realJid: OWNER, mentioned: true }),
    ).toMatchObject({
      action: "deny",
      reason: `room ${ROOM} is disabled (groupSettings.enabled=false)`,
    });
    const other = "other@conference.example.org";
    expect(
      policy.decide({ kind: "group", room: other, realJid: STRANGER, mentioned: false }).action,
    ).toBe("deny");
    expect(
      policy.decide({ kind: "group", room: other, realJid: STRANGER, mentioned: true }).action,
    ).toBe("allow");
  });

  it("room keys are matched after normalisation", () => {
    const policy = engine({
      groupPolicy: "open",
      groupSettings: { "Room@Conference.Example.org": { requireMention: true } },
    });
    expect(policy.roomSettings(ROOM).requireMention).toBe(true);
    expect(
      policy.decide({ kind: "group", room: `${ROOM}/nick`, realJid: OWNER, mentioned: false })
        .action,
    ).toBe("deny");
  });
});

type Inviter = "owner" | "acceptInvitesFrom" | "stranger" | "unknown" | "invalid";
const inviters: Record<Inviter, string | undefined> = {
  owner: `${OWNER}/phone`,
  acceptInvitesFrom: "inviter@example.org",
  stranger: STRANGER,
  unknown: undefined,
  invalid: "@@",
};

describe("decide: room invitations (groupPolicy × inviter)", () => {
  for (const policy of ["open", "allowlist", "disabled"] as const) {
    for (const [who, jid] of Object.entries(inviters) as [Inviter, string | undefined][]) {
      const expected =
        policy !== "disabled" && (who === "owner" || who === "acceptInvitesFrom")
          ? "allow"
          : "deny";
      it(`groupPolicy=${policy}, invite from ${who} → ${expected}`, () => {
        const decision = engine({
          groupPolicy: policy,
          acceptInvitesFrom: ["inviter@example.org"],
        }).decide({
          kind: "invite",
          inviter: jid,
          room: ROOM,
        });
        expect(decision.action).toBe(expected);
      });
    }
  }

  it("accepts invitations only from owners by default, never into a disabled room", () => {
    const policy = engine({ groupSettings: { [ROOM]: { enabled: false } } });
    expect(
      policy.decide({
        kind: "invite",
        inviter: "inviter@example.org",
        room: "x@conference.example.org",
      }).action,
    ).toBe("deny");
    expect(
      policy.decide({ kind: "invite", inviter: OWNER, room: "x@conference.example.org" }).action,
    ).toBe("allow");
    expect(policy.decide({ kind: "invite", inviter: OWNER, room: ROOM }).action).toBe("deny");
    expect(policy.decide({ kind: "invite", inviter: OWNER, room: "not a room" }).action).toBe(
      "deny",
    );
  });

  it("an open dmPolicy or groupPolicy does not open invitations to strangers", () => {
    const policy = engine({ dmPolicy: "open", groupPolicy: "open" });
    expect(policy.decide({ kind: "invite", inviter: STRANGER, room: ROOM }).action).toBe("deny");
  });
});

describe("decide: presence subscriptions (dmPolicy × requester)", () => {
  const subscribers: Record<DmSender, string> = { ...dmSenders, stranger: STRANGER };
  for (const policy of ["disabled", "open", "pairing", "allowlist"] as const) {
    for (const [who, from] of Object.entries(subscribers) as [DmSender, string][]) {
      const expected = who === "stranger" || who === "invalid" ? "deny" : "allow";
      it(`dmPolicy=${policy}, subscription from ${who} → ${expected}`, () => {
        expect(engine({ dmPolicy: policy }).decide({ kind: "subscription", from }).action).toBe(
          expected,
        );
      });
    }
  }
});

describe("decide: tools per room", () => {
  const policy = engine({
    groupSettings: {
      [ROOM]: { tools: { allow: ["search", "weather"], deny: ["weather"] } },
      "none@conference.example.org": { tools: { allow: [] } },
    },
  });
  it.each([
    [ROOM, "search", "allow"],
    [ROOM, "weather", "deny"],
    [ROOM, "shell", "deny"],
    ["none@conference.example.org", "search", "deny"],
    ["free@conference.example.org", "shell", "allow"],
    ["not a room", "search", "deny"],
  ] as const)("room %s, tool %s → %s", (room, tool, expected) => {
    expect(policy.decide({ kind: "tool", room, tool }).action).toBe(expected);
  });
});

describe("decide is pure", () => {
  it("gives the same answer for the same input and mutates nothing", () => {
    const policy = engine();
    const event = Object.freeze({ kind: "dm", from: STRANGER }) as PolicyEvent;
    const first = policy.decide(event);
    expect(policy.decide(event)).toEqual(first);
    expect(Object.isFrozen(policy.config.allowFrom)).toBe(true);
  });

  it("never throws on arbitrary events", () => {
    const policy = engine({ groupSettings: { "*": { requireMention: true } } });
    const text = fc.oneof(fc.string(), fc.constant(OWNER), fc.constant(ROOM));
    const event = fc.oneof(
      fc.record({ kind: fc.constant("dm" as const), from: text }),
      fc.record({
        kind: fc.constant("group" as const),
        room: text,
        realJid: fc.option(text, { nil: undefined }),
        mentioned: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant("invite" as const),
        inviter: fc.option(text, { nil: undefined }),
        room: text,
      }),
      fc.record({ kind: fc.constant("subscription" as const), from: text }),
      fc.record({ kind: fc.constant("tool" as const), room: text, tool: fc.string() }),
    );
    fc.assert(
      fc.property(event, (e) => {
        const decision = policy.decide(e);
        expect(["allow", "pair", "deny"]).toContain(decision.action);
        expect(decision.reason).not.toBe("");
        if (decision.action === "pair") expect(e.kind).toBe("dm");
      }),
      { numRuns: 1_000 },
    );
  });
});
