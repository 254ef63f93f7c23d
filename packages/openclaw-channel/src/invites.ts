/**
 * XEP-0045 §7.8 / XEP-0249 room invitations: followed only when
 * `@clawxmpp/policy` allows the inviter's real JID (owners in `allowFrom`);
 * everyone else is ignored (prior-art S5). A mediated invitation comes from
 * the room, which merely claims who the inviter is: it counts only for a room
 * the account trusts (`muc-trust.ts`), so a hostile service cannot invite
 * "from the owner". A direct invitation's sender is authenticated by the
 * server. A followed invitation is joined for this run only; rooms to keep
 * belong in `groups`.
 */
import type { InviteEvent, MucHandle } from "@clawxmpp/muc";
import type { PolicyEngine } from "@clawxmpp/policy";
import type { MucTrust } from "./muc-trust.js";

/** Most rooms joined through invitations per run. */
export const MAX_INVITED_ROOMS = 50;

/** Returns the `invite` listener; `log` receives one line per decision. */
export function inviteFollower(
  policy: PolicyEngine,
  rooms: Pick<MucHandle, "join" | "rooms">,
  log: (line: string) => void,
  trust: Pick<MucTrust, "trusts">,
): (invite: InviteEvent) => Promise<boolean> {
  let joined = 0;
  return async (invite) => {
    if (invite.kind === "mediated" && !trust.trusts(invite.room)) {
      log(
        `ignored invitation to ${invite.room}: a mediated invitation from a room on an untrusted service (its inviter cannot be verified; see trustedMucServices)`,
      );
      return false;
    }
    const decision = policy.decide({ kind: "invite", inviter: invite.from, room: invite.room });
    if (decision.action !== "allow") {
      log(`ignored invitation to ${invite.room}: ${decision.reason}`);
      return false;
    }
    if (rooms.rooms().some((room) => room.jid === invite.room)) return false;
    if (joined >= MAX_INVITED_ROOMS) {
      log(
        `ignored invitation to ${invite.room}: ${MAX_INVITED_ROOMS} invited rooms joined already`,
      );
      return false;
    }
    joined++;
    try {
      await rooms.join(invite.room, {
        ...(invite.password === undefined ? {} : { password: invite.password }),
        autoRejoin: true,
      });
      log(`joined ${invite.room} on an invitation from ${decision.jid}`);
      return true;
    } catch (error) {
      log(
        `joining ${invite.room} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      return false;
    }
  };
}
