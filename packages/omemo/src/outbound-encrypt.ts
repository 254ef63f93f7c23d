/**
 * The `encrypt` outbound stage (XEP-0384 0.3 § 4.5): a message with a body,
 * marked `omemo: true` (or to a contact with OMEMO devices under
 * `autoEncrypt`/`requireEncryption`) leaves with its body encrypted for the
 * recipient's trusted devices and our own other devices, the fallback body in
 * its place, `<store/>` (XEP-0334) and XEP-0380 `<encryption/>`. Other
 * children (origin-id, receipts, markers) stay in the clear, as clients send
 * them. A room message goes to the real JIDs of its occupants; a room that
 * hides them is refused. A body with an `aesgcm://` link (XEP-0454) is always
 * encrypted, or not sent: its fragment is the file's key. When encryption is wanted but impossible the send
 * is cancelled with the reason: never a silent plaintext fallback.
 */
import type { Element, Logger, OutboundContext } from "@clawxmpp/core";
import { parseXml, xml } from "@clawxmpp/core";
import type { MucHandle } from "@clawxmpp/muc";
import { findEncrypted } from "./encrypted-element.js";
import { omemoHints } from "./message-hints.js";
import { NS_OMEMO } from "./namespaces.js";
import type { EncryptedParts, OmemoRuntime } from "./omemo-runtime.js";
import { findEncrypted2 } from "./v2/encrypted-element.js";
import { NS_OMEMO2 } from "./v2/namespaces.js";

/** What the stage needs. */
export interface EncryptStageDeps {
  runtime: () => Promise<OmemoRuntime>;
  muc: MucHandle | undefined;
  logger: Logger;
  autoEncrypt: boolean;
  requireEncryption: boolean;
  fallbackBody: string;
  hasOmemo: (jid: string) => Promise<boolean>;
  /** Our bare JID (SCE `<from>`). */
  account: string;
  /** A room's affiliated members (member, admin, owner), offline ones included. */
  roomMembers?: (room: string) => Promise<string[]>;
}

const AESGCM_LINK = /aesgcm:\/\//iu;
const NS_OOB = "jabber:x:oob";
const bare = (jid: string | undefined) => (jid ?? "").split("/")[0] ?? "";

/** The real bare JIDs of a room's occupants; throws when the room hides one. */
export function roomRecipients(muc: MucHandle | undefined, room: string): string[] {
  if (!muc) throw new Error("encrypting for a room needs the muc plugin");
  const jids = new Set<string>();
  for (const occupant of muc.occupants(room)) {
    if (!occupant.jid) {
      throw new Error(
        `${room} does not reveal the real JID of ${occupant.nick}: OMEMO needs a non-anonymous room`,
      );
    }
    jids.add(bare(occupant.jid));
  }
  return [...jids];
}

/**
 * Children that OMEMO 2 moves into the SCE envelope (XEP-0420 § 3; XEP-0384 0.8 § 4.4):
 * the body, reactions (XEP-0444), corrections (XEP-0308), replies (XEP-0461), retractions
 * (XEP-0424), their fallback markers (XEP-0428) and OOB links (XEP-0066).
 */
const SCE_CONTENT: readonly (readonly [string, string])[] = [
  ["reactions", "urn:xmpp:reactions:0"],
  ["replace", "urn:xmpp:message-correct:0"],
  ["reply", "urn:xmpp:reply:0"],
  ["retract", "urn:xmpp:message-retract:1"],
  ["retract", "urn:xmpp:message-retract:0"],
  ["fallback", "urn:xmpp:fallback:0"],
  ["x", NS_OOB],
];
const isSceContent = (child: Element) =>
  child.name === "body" || SCE_CONTENT.some(([name, ns]) => child.is(name, ns));

/** A detached copy for the envelope; the body gets its `jabber:client` namespace spelled out. */
function envelopeCopy(child: Element): Element {
  const copy = parseXml(child.toString(), { maxBytes: 1024 * 1024 });
  if (copy.attrs.xmlns === undefined) copy.attrs.xmlns = "jabber:client";
  return copy;
}

/** Builds the stage handler. */
export function encryptStage(deps: EncryptStageDeps) {
  return async (ctx: OutboundContext): Promise<void> => {
    const stanza = ctx.stanza;
    if (stanza.name !== "message" || findEncrypted(stanza) || findEncrypted2(stanza)) return;
    const body = stanza.getChildText("body");
    const content = stanza.getChildElements().filter(isSceContent);
    if (content.length === 0) return;
    const to = bare(stanza.attrs.to);
    const groupchat = stanza.attrs.type === "groupchat";
    // XEP-0454: an aesgcm:// link carries its key in the fragment; it never leaves in the clear.
    const media = body !== null && AESGCM_LINK.test(body);
    const wanted = media ? true : ctx.message?.omemo;
    let encrypt = wanted === true;
    if (wanted === undefined && !groupchat && (deps.autoEncrypt || deps.requireEncryption)) {
      encrypt = await deps.hasOmemo(to);
    }
    if (!encrypt) {
      if (body !== null && deps.requireEncryption && !groupchat && (await deps.hasOmemo(to))) {
        ctx.cancel(`[omemo] plaintext to ${to}, who has OMEMO, refused (requireEncryption)`);
      }
      return;
    }
    try {
      const runtime = await deps.runtime();
      const recipients = groupchat ? roomRecipients(deps.muc, to) : [to];
      // Offline members of the room get keys too (when they have OMEMO), so they can read it later.
      const members = groupchat && deps.roomMembers ? await deps.roomMembers(to) : [];
      const parts = await runtime.encryptMessage({
        jids: recipients,
        optionalJids: members,
        body: body ?? undefined,
        content: content.map(envelopeCopy),
        from: deps.account,
        to,
      });
      // The fallback body goes on body-less content too (a reaction): XEP-0384 asks for it, and
      // Prosody does not route a body-less chat message sent to a bare JID to the account's clients.
      ctx.stanza = encryptedCopy(stanza, parts, deps.fallbackBody);
    } catch (error) {
      deps.logger.warn("message not sent: cannot encrypt", {
        to,
        reason: (error as Error).message,
      });
      ctx.cancel(`[omemo] cannot encrypt for ${to}: ${(error as Error).message}`);
    }
  };
}

/**
 * The message as it leaves: the body replaced by the `<encrypted>` elements and hints. The other
 * envelope content stays in the clear only when 0.3 devices are recipients (they cannot read it
 * otherwise, as 0.3 clients send it); for OMEMO 2 alone it travels only inside the envelope. An
 * OOB copy of an encrypted link never stays.
 */
function encryptedCopy(stanza: Element, parts: EncryptedParts, fallback: string): Element {
  const clearExtras = parts.legacy !== undefined;
  const kept = stanza.children.filter(
    (child): child is Element =>
      typeof child !== "string" &&
      child.name !== "body" &&
      !child.is("x", NS_OOB) &&
      (clearExtras || !isSceContent(child)),
  );
  const namespace = parts.legacy ? NS_OMEMO : NS_OMEMO2;
  return xml(
    "message",
    { ...stanza.attrs },
    ...kept,
    parts.legacy,
    parts.v2,
    ...omemoHints(fallback, namespace),
  );
}
