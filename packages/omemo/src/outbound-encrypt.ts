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
import { xml } from "@clawxmpp/core";
import type { MucHandle } from "@clawxmpp/muc";
import { findEncrypted } from "./encrypted-element.js";
import { omemoHints } from "./message-hints.js";
import type { OmemoRuntime } from "./omemo-runtime.js";

/** What the stage needs. */
export interface EncryptStageDeps {
  runtime: () => Promise<OmemoRuntime>;
  muc: MucHandle | undefined;
  logger: Logger;
  autoEncrypt: boolean;
  requireEncryption: boolean;
  fallbackBody: string;
  hasOmemo: (jid: string) => Promise<boolean>;
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

/** Builds the stage handler. */
export function encryptStage(deps: EncryptStageDeps) {
  return async (ctx: OutboundContext): Promise<void> => {
    const stanza = ctx.stanza;
    if (stanza.name !== "message" || findEncrypted(stanza)) return;
    const body = stanza.getChildText("body");
    if (body === null) return;
    const to = bare(stanza.attrs.to);
    const groupchat = stanza.attrs.type === "groupchat";
    // XEP-0454: an aesgcm:// link carries its key in the fragment; it never leaves in the clear.
    const media = AESGCM_LINK.test(body);
    const wanted = media ? true : ctx.message?.omemo;
    let encrypt = wanted === true;
    if (wanted === undefined && !groupchat && (deps.autoEncrypt || deps.requireEncryption)) {
      encrypt = await deps.hasOmemo(to);
    }
    if (!encrypt) {
      if (deps.requireEncryption && !groupchat && (await deps.hasOmemo(to))) {
        ctx.cancel(`[omemo] plaintext to ${to}, who has OMEMO, refused (requireEncryption)`);
      }
      return;
    }
    try {
      const runtime = await deps.runtime();
      const recipients = groupchat ? roomRecipients(deps.muc, to) : [to];
      const { element } = await runtime.encryptFor(recipients, body);
      ctx.stanza = encryptedCopy(stanza, element, deps.fallbackBody);
    } catch (error) {
      deps.logger.warn("message not sent: cannot encrypt", {
        to,
        reason: (error as Error).message,
      });
      ctx.cancel(`[omemo] cannot encrypt for ${to}: ${(error as Error).message}`);
    }
  };
}

function encryptedCopy(stanza: Element, encrypted: Element, fallback: string): Element {
  const kept = stanza.children.filter(
    (child) =>
      typeof child !== "string" &&
      child.name !== "body" &&
      // An OOB copy of the link would repeat in the clear what is now encrypted.
      !child.is("x", NS_OOB),
  );
  return xml("message", { ...stanza.attrs }, ...kept, encrypted, ...omemoHints(fallback));
}
