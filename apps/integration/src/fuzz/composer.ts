/**
 * The fuzz target's composer: what a bot (or the OpenClaw channel) does
 * with each event. The policy judges DMs, room messages and invitations;
 * allowed invitations are followed; attachments are downloaded (and refused,
 * the resolver answering with a private address); the upload service is
 * discovered on every new session; a kicked bot rejoins its room. Every
 * event is counted, so a report shows how deep the cases reached. A
 * refusal is a clawxmpp error; any other rejection is logged as a finding.
 */
import { ClawXmppError, type Client } from "@clawxmpp/core";
import type { FuzzScene } from "./scene.js";
import type { FuzzPlugins, LoggedError } from "./target.js";

/** Wires the bot's behaviour onto `client`; returns the live event counters. */
export function composeBot(
  client: Client,
  plugins: FuzzPlugins,
  scene: FuzzScene,
  errors: LoggedError[],
): Record<string, number> {
  const delivered: Record<string, number> = {};
  const count = (name: string) => () => {
    delivered[name] = (delivered[name] ?? 0) + 1;
  };
  const failed = (source: string) => (error: unknown) =>
    errors.push({ source, message: "composer call rejected", detail: String(error) });
  const refusedOnly = (source: string) => ({
    ok: () => errors.push({ source, message: "was not refused", detail: "" }),
    failed: (error: unknown) => {
      if (ClawXmppError.isInstance(error)) count(`${source} refused`)();
      else failed(source)(error);
    },
  });
  client.on("message", (message) => {
    if (message.type === "groupchat" && message.muc) {
      plugins.policy.check({
        kind: "group",
        room: message.muc.room,
        realJid: message.muc.realJid,
        mentioned: message.muc.mentioned,
      });
    } else if (message.body !== undefined && !message.outgoing) {
      plugins.policy.admitDm(message.from.full).catch(failed("policy.admitDm"));
    }
    for (const attachment of message.attachments?.slice(0, 2) ?? []) {
      const check = refusedOnly("upload.download");
      plugins.upload.download(attachment).then(check.ok, check.failed);
    }
  });
  for (const event of ["message", "presence", "bounce", "subscription"] as const)
    client.on(event, count(event));
  for (const event of [
    "invite",
    "joined",
    "kicked",
    "destroyed",
    "subjectChanged",
    "occupantJoined",
    "nickChanged",
    "joinFailed",
  ] as const)
    plugins.muc.on(event, count(`muc.${event}`));
  for (const event of [
    "reaction",
    "marker",
    "receipt",
    "correction",
    "retraction",
    "reply",
    "chatState",
  ] as const)
    plugins.markers.on(event, count(`markers.${event}`));
  for (const event of ["item", "retract", "delete", "purge"] as const)
    plugins.pubsub.on(event, count(`pubsub.${event}`));
  for (const event of ["avatar", "nickname", "mood"] as const)
    plugins.profile.on(event, count(`profile.${event}`));
  // A bot kicked or left without its room would ignore every room case after that: rejoin.
  const rejoin = () => {
    plugins.muc.join(scene.room).catch(() => {});
  };
  for (const event of ["kicked", "removed", "destroyed", "banned"] as const)
    plugins.muc.on(event, rejoin);
  plugins.muc.on("invite", (invite) => {
    const decision = plugins.policy.decide({
      kind: "invite",
      inviter: invite.from,
      room: invite.room,
    });
    // Followed like a bot would; a refused or failed join is a clawxmpp error, anything else a finding.
    if (decision.action === "allow") {
      const check = refusedOnly("muc.join");
      plugins.muc.join(invite.room).then(count("muc.join followed"), check.failed);
    }
  });
  // Service discovery on every new session, answered by the fake peer or by fuzzed IQ results.
  client.on("online", ({ resumed }) => {
    if (resumed) return;
    const check = refusedOnly("upload.service");
    plugins.upload.service().then(count("upload.service found"), check.failed);
  });
  return delivered;
}
