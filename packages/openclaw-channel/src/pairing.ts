/**
 * The pairing adapter: how OpenClaw's pairing store names and normalises XMPP
 * senders, and how an approval is announced to the requester. Issuing codes is
 * the inbound path's job (it calls the SDK's pairing controller); approvals
 * arrive through the gateway RPC `channels.pairing.approve … notify:true`, which
 * runs `notifyApproval` in the gateway process, where the connection is. Without
 * this adapter the gateway answers `unknown pairing channel: xmpp`.
 */
import { normaliseBare } from "./accounts.js";
import type { OpenClawConfig } from "./openclaw-types.js";
import { sendXmppText } from "./outbound.js";

/** Text sent to a sender whose pairing request was approved. */
export const PAIRING_APPROVED_MESSAGE =
  "Your pairing request has been approved. You can now chat with the assistant.";

/** The `pairing` adapter of the channel. */
export const xmppPairing = {
  idLabel: "XMPP address",
  /** Store entries are bare JIDs, lower-cased; `xmpp:` URIs and resources are dropped. */
  normalizeAllowEntry: (entry: string): string =>
    normaliseBare(entry) ?? entry.trim().toLowerCase(),
  notifyApproval: async ({
    cfg,
    id,
    accountId,
  }: {
    cfg: OpenClawConfig;
    id: string;
    accountId?: string | null;
  }): Promise<void> => {
    await sendXmppText({
      cfg,
      to: id,
      text: PAIRING_APPROVED_MESSAGE,
      accountId: accountId ?? null,
    });
  },
};
