/**
 * The pure decision function. Each branch answers "who is this, and does the
 * configuration admit them?"; anything unrecognised ends in `deny` (or `pair`
 * for DMs under `pairing`). No I/O, no clock, no mutation: the same inputs
 * always give the same decision.
 */
import { tryParseJid } from "@clawxmpp/core";
import type {
  Decision,
  DmEvent,
  GroupEvent,
  InviteEvent,
  PolicyEvent,
  SenderKind,
  SubscriptionEvent,
  ToolEvent,
} from "./decision.js";
import type { PolicyConfig, RoomSettings } from "./policy-options.js";

/** Whether a normalised bare JID has been approved through pairing. */
export type IsPaired = (bareJid: string) => boolean;

const DEFAULT_ROOM: RoomSettings = Object.freeze({ requireMention: false, enabled: true });

/** Decides `event` under `config`; `isPaired` answers from the pairing state. */
export function decide(config: PolicyConfig, event: PolicyEvent, isPaired: IsPaired): Decision {
  switch (event.kind) {
    case "dm":
      return decideDm(config, event, isPaired);
    case "group":
      return decideGroup(config, event);
    case "invite":
      return decideInvite(config, event);
    case "subscription":
      return decideSubscription(config, event, isPaired);
    case "tool":
      return decideTool(config, event);
    default:
      return result(
        "deny",
        `unknown event kind ${JSON.stringify((event as { kind: unknown }).kind)}`,
        "none",
        undefined,
      );
  }
}

/** The settings that apply to `room`: its own entry, else `*`, else the defaults. */
export function roomSettings(config: PolicyConfig, room: string): RoomSettings {
  const bare = tryParseJid(room)?.bare;
  const own = bare === undefined ? undefined : config.groupSettings[bare];
  return own ?? config.groupSettings["*"] ?? DEFAULT_ROOM;
}

function decideDm(config: PolicyConfig, event: DmEvent, isPaired: IsPaired): Decision {
  const jid = tryParseJid(event.from)?.bare;
  if (jid === undefined) return result("deny", "sender JID is invalid", "invalid", undefined);
  if (config.allowFrom.includes(jid)) return result("allow", "owner (allowFrom)", "owner", jid);
  const listed = config.dmAllowlist.includes(jid);
  switch (config.dmPolicy) {
    case "disabled":
      return result(
        "deny",
        "dmPolicy=disabled: only owners may send direct messages",
        kindOf(listed, isPaired(jid)),
        jid,
      );
    case "open":
      return result(
        "allow",
        "dmPolicy=open: anyone may send direct messages",
        kindOf(listed, isPaired(jid)),
        jid,
      );
    case "allowlist":
      return listed
        ? result("allow", "dmPolicy=allowlist: sender in dmAllowlist", "allowlisted", jid)
        : result(
            "deny",
            "dmPolicy=allowlist: sender not in dmAllowlist",
            kindOf(false, isPaired(jid)),
            jid,
          );
    case "pairing":
      if (listed)
        return result("allow", "dmPolicy=pairing: sender in dmAllowlist", "allowlisted", jid);
      if (isPaired(jid))
        return result("allow", "dmPolicy=pairing: sender is paired", "paired", jid);
      return result("pair", "dmPolicy=pairing: unknown sender must pair first", "stranger", jid);
  }
}

function decideGroup(config: PolicyConfig, event: GroupEvent): Decision {
  const room = tryParseJid(event.room)?.bare;
  const realJid = event.realJid === undefined ? undefined : tryParseJid(event.realJid)?.bare;
  const sender: SenderKind =
    event.realJid === undefined ? "hidden" : realJid === undefined ? "invalid" : "stranger";
  if (room === undefined) return result("deny", "room JID is invalid", sender, realJid);
  if (config.groupPolicy === "disabled") {
    return result(
      "deny",
      "groupPolicy=disabled: group chats are ignored",
      groupKind(config, realJid, sender),
      realJid,
    );
  }
  const settings = roomSettings(config, room);
  if (!settings.enabled) {
    return result(
      "deny",
      `room ${room} is disabled (groupSettings.enabled=false)`,
      groupKind(config, realJid, sender),
      realJid,
    );
  }
  const kind = groupKind(config, realJid, sender);
  if (config.groupPolicy === "allowlist") {
    if (kind === "hidden") {
      return result(
        "deny",
        "groupPolicy=allowlist: room hides real JIDs, sender unknown",
        kind,
        realJid,
      );
    }
    if (kind !== "owner" && kind !== "allowlisted") {
      return result(
        "deny",
        `groupPolicy=allowlist: sender not in ${groupListName(config)}`,
        kind,
        realJid,
      );
    }
  }
  if (settings.requireMention && !event.mentioned) {
    return result("deny", `room ${room} requires a mention (requireMention=true)`, kind, realJid);
  }
  const why =
    config.groupPolicy === "open"
      ? "groupPolicy=open"
      : kind === "owner"
        ? "groupPolicy=allowlist: owner (allowFrom)"
        : `groupPolicy=allowlist: sender in ${groupListName(config)}`;
  return result("allow", settings.requireMention ? `${why}, mentioned` : why, kind, realJid);
}

function decideInvite(config: PolicyConfig, event: InviteEvent): Decision {
  const inviter = event.inviter === undefined ? undefined : tryParseJid(event.inviter)?.bare;
  const room = tryParseJid(event.room)?.bare;
  if (inviter === undefined) {
    const kind = event.inviter === undefined ? "hidden" : "invalid";
    return result("deny", "inviter's real JID is unknown or invalid", kind, undefined);
  }
  const owner = config.allowFrom.includes(inviter);
  const listed = config.acceptInvitesFrom.includes(inviter);
  const kind: SenderKind = owner ? "owner" : listed ? "allowlisted" : "stranger";
  if (room === undefined) return result("deny", "room JID is invalid", kind, inviter);
  if (config.groupPolicy === "disabled") {
    return result("deny", "groupPolicy=disabled: invitations are declined", kind, inviter);
  }
  if (!roomSettings(config, room).enabled) {
    return result("deny", `room ${room} is disabled (groupSettings.enabled=false)`, kind, inviter);
  }
  if (owner) return result("allow", "invitation from an owner (allowFrom)", kind, inviter);
  if (listed) return result("allow", "inviter in acceptInvitesFrom", kind, inviter);
  return result("deny", "inviter is neither an owner nor in acceptInvitesFrom", kind, inviter);
}

function decideSubscription(
  config: PolicyConfig,
  event: SubscriptionEvent,
  isPaired: IsPaired,
): Decision {
  const jid = tryParseJid(event.from)?.bare;
  if (jid === undefined) return result("deny", "requester JID is invalid", "invalid", undefined);
  if (config.allowFrom.includes(jid))
    return result("allow", "subscription from an owner (allowFrom)", "owner", jid);
  if (config.dmAllowlist.includes(jid)) {
    return result("allow", "subscription from a dmAllowlist member", "allowlisted", jid);
  }
  if (isPaired(jid)) return result("allow", "subscription from a paired JID", "paired", jid);
  return result(
    "deny",
    "subscription from an unknown JID (not owner, allowlisted or paired)",
    "stranger",
    jid,
  );
}

function decideTool(config: PolicyConfig, event: ToolEvent): Decision {
  const room = tryParseJid(event.room)?.bare;
  if (room === undefined) return result("deny", "room JID is invalid", "none", undefined);
  const tools = roomSettings(config, room).tools;
  if (tools === undefined)
    return result("allow", "no tool policy for this room", "none", undefined);
  if (tools.deny.includes(event.tool)) {
    return result("deny", `tool ${event.tool} is in tools.deny for ${room}`, "none", undefined);
  }
  if (tools.allow !== undefined && !tools.allow.includes(event.tool)) {
    return result(
      "deny",
      `tool ${event.tool} is not in tools.allow for ${room}`,
      "none",
      undefined,
    );
  }
  return result("allow", `tool ${event.tool} permitted in ${room}`, "none", undefined);
}

function kindOf(listed: boolean, paired: boolean): SenderKind {
  return listed ? "allowlisted" : paired ? "paired" : "stranger";
}

function groupKind(
  config: PolicyConfig,
  realJid: string | undefined,
  fallback: SenderKind,
): SenderKind {
  if (realJid === undefined) return fallback;
  if (config.allowFrom.includes(realJid)) return "owner";
  if ((config.groupAllowFrom ?? config.allowFrom).includes(realJid)) return "allowlisted";
  return "stranger";
}

function groupListName(config: PolicyConfig): string {
  return config.groupAllowFrom === undefined
    ? "allowFrom (groupAllowFrom unset)"
    : "groupAllowFrom";
}

function result(
  action: Decision["action"],
  reason: string,
  sender: SenderKind,
  jid: string | undefined,
): Decision {
  return { action, reason, sender, jid };
}
