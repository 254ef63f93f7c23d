/**
 * Invitations as data, never as actions: mediated invitations (XEP-0045
 * §7.8.2, `<x xmlns=muc#user><invite/></x>` from the room) and direct
 * invitations (XEP-0249 §2, `<x xmlns=jabber:x:conference/>` from the inviter).
 */
import { type Element, tryParseJid } from "@clawxmpp/core";
import type { InviteEvent } from "./muc-types.js";
import { NS_CONFERENCE, NS_MUC_USER } from "./namespaces.js";

const MAX_TEXT = 1024;

/** Parses an invitation carried by `stanza` (a message from `from`); undefined when there is none or it is malformed. */
export function parseInvite(stanza: Element): InviteEvent | undefined {
  const sender = tryParseJid(stanza.attrs.from);
  if (!sender) return undefined;
  const mediated = stanza.getChild("x", NS_MUC_USER);
  const invite = mediated?.getChild("invite");
  if (mediated && invite) {
    // The room delivers it, so the room is the sender; the inviter is what the room asserts.
    if (sender.local === undefined || sender.resource !== undefined) return undefined;
    return {
      room: sender.bare,
      from: tryParseJid(invite.attrs.from)?.bare,
      reason: clip(invite.getChildText("reason")),
      password: clip(mediated.getChildText("password")),
      kind: "mediated",
    };
  }
  const direct = stanza.getChild("x", NS_CONFERENCE);
  if (direct) {
    const room = tryParseJid(direct.attrs.jid);
    if (!room || room.local === undefined) return undefined;
    return {
      room: room.bare,
      from: sender.bare,
      reason: clip(direct.attrs.reason),
      password: clip(direct.attrs.password),
      kind: "direct",
    };
  }
  return undefined;
}

function clip(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === ""
    ? undefined
    : value.slice(0, MAX_TEXT);
}
