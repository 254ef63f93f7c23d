/**
 * The `decrypt` inbound stage (XEP-0384 0.3 § 4.6): a message carrying a
 * legacy `<encrypted/>` is decrypted and replaced by a plain copy whose
 * `<body/>` is the plaintext (the fallback body, `<encrypted/>` and the
 * XEP-0380 hint gone); what was decrypted, and from which device, is
 * remembered for the `parse` stage, which sets `message.omemo`.
 *
 * Everything else is dropped with a logged reason and an `undecryptable`
 * event, never surfaced as the fallback text: malformed elements, messages
 * not encrypted for this device, untrusted devices, duplicates (a replay, or
 * the archive's copy of a message seen live: silently), tampered payloads.
 * Bad MAC or a missing session on a live message starts healing. PreKey
 * messages from the archive keep their prekey until the catch-up is over.
 */
import type { Element, InboundContext, Logger } from "@clawxmpp/core";
import { xml } from "@clawxmpp/core";
import type { MucHandle } from "@clawxmpp/muc";
import { encodeAddress } from "./device-address.js";
import { findEncrypted, parseEncrypted } from "./encrypted-element.js";
import { fingerprintHex } from "./fingerprint.js";
import { NS_EME, NS_HINTS, NS_OMEMO } from "./namespaces.js";
import { OmemoError } from "./omemo-error.js";
import type { OmemoRuntime } from "./omemo-runtime.js";
import type { OmemoMessageInfo, UndecryptableEvent } from "./omemo-types.js";

/** What the stage needs. */
export interface DecryptStageDeps {
  runtime: () => Promise<OmemoRuntime>;
  muc: MucHandle | undefined;
  logger: Logger;
  requireEncryption: boolean;
  /** True when `jid` has OMEMO devices (for `requireEncryption`). */
  hasOmemo: (jid: string) => Promise<boolean>;
  /** A PreKey message was decrypted live: replace the consumed prekey. */
  preKeyConsumed: () => void;
  /** A live message came from this device (a device list that lacks it is refreshed). */
  senderDevice: (jid: string, deviceId: number) => void;
  /** Archive processing started (prekey removal deferred until `caughtUp`). */
  archiveStarted: () => void;
  undecryptable: (event: UndecryptableEvent) => void;
  /** Decrypted messages, by the stanza handed on. */
  decrypted: WeakMap<Element, OmemoMessageInfo>;
}

const bare = (jid: string | undefined) => (jid ?? "").split("/")[0] ?? "";
const resource = (jid: string | undefined) => {
  const slash = (jid ?? "").indexOf("/");
  return slash === -1 ? undefined : (jid ?? "").slice(slash + 1);
};

/** Builds the stage handler. */
export function decryptStage(deps: DecryptStageDeps) {
  const refuse = (ctx: InboundContext, event: Omit<UndecryptableEvent, "from">, quiet = false) => {
    const from = ctx.stanza.attrs.from ?? "";
    const details = { from, condition: event.condition, reason: event.reason };
    if (quiet) deps.logger.info("encrypted message dropped", details);
    else deps.logger.warn("encrypted message dropped", details);
    deps.undecryptable({ from, ...event });
    ctx.drop(`omemo: ${event.reason}`);
  };

  return async (ctx: InboundContext): Promise<void> => {
    const stanza = ctx.stanza;
    if (stanza.name !== "message" || stanza.attrs.type === "error") return;
    const element = findEncrypted(stanza);
    if (!element) {
      await refusePlaintext(ctx);
      return;
    }
    const groupchat = stanza.attrs.type === "groupchat";
    let jid = bare(stanza.attrs.from);
    if (groupchat) {
      const nick = resource(stanza.attrs.from);
      const occupant = nick === undefined ? undefined : deps.muc?.occupant(jid, nick);
      if (!occupant?.jid) {
        refuse(ctx, {
          jid: undefined,
          deviceId: undefined,
          condition: "room",
          reason: `${stanza.attrs.from} does not reveal its real JID (OMEMO needs a non-anonymous room${deps.muc ? "" : " and the muc plugin"})`,
        });
        return;
      }
      jid = bare(occupant.jid);
    }
    let runtime: OmemoRuntime;
    try {
      runtime = await deps.runtime();
    } catch (error) {
      refuse(ctx, {
        jid,
        deviceId: undefined,
        condition: "store",
        reason: `OMEMO is not available: ${(error as Error).message}`,
      });
      return;
    }
    let message: ReturnType<typeof parseEncrypted>;
    try {
      message = parseEncrypted(element);
    } catch (error) {
      const condition = error instanceof OmemoError ? error.condition : "malformed";
      refuse(ctx, { jid, deviceId: undefined, condition, reason: (error as Error).message });
      return;
    }
    if (message.sid === runtime.deviceId) {
      // Our own message, reflected by a room or copied back by the archive: nothing to read.
      ctx.drop("omemo: our own message");
      return;
    }
    if (ctx.origin.via === "archive") deps.archiveStarted();
    else deps.senderDevice(jid, message.sid);
    try {
      const result = await runtime.deps.sessions.decrypt(jid, message);
      if (result.prekey && result.preKeyId !== undefined && ctx.origin.via !== "archive") {
        deps.preKeyConsumed();
      }
      if (result.plaintext === undefined) {
        ctx.drop("omemo: key transport");
        return;
      }
      const trust = (await runtime.deps.store.getTrust(result.sender)) ?? "trusted";
      const plain = plainCopy(stanza, result.plaintext);
      deps.decrypted.set(plain, {
        encrypted: true,
        jid,
        deviceId: result.sender.deviceId,
        fingerprint: fingerprintHex(result.identityKey),
        trust,
        prekey: result.prekey,
      });
      ctx.stanza = plain;
    } catch (error) {
      const omemo = error instanceof OmemoError ? error : undefined;
      const condition = omemo?.condition ?? "malformed";
      refuse(
        ctx,
        { jid, deviceId: message.sid, condition, reason: (error as Error).message },
        condition === "duplicate",
      );
      const broken = condition === "bad-mac" || condition === "no-session";
      const prekey = message.keys.some((k) => k.rid === runtime.deviceId && k.prekey);
      if (broken && !prekey && ctx.origin.via !== "archive") {
        const address = { jid, deviceId: message.sid };
        deps.logger.info("session looks broken; healing", { device: encodeAddress(address) });
        void runtime.heal(address, jid, "chat");
      }
    }
  };

  async function refusePlaintext(ctx: InboundContext): Promise<void> {
    if (!deps.requireEncryption) return;
    const stanza = ctx.stanza;
    if (stanza.attrs.type === "groupchat" || stanza.getChild("body") === undefined) return;
    const jid = bare(stanza.attrs.from);
    if (jid === "" || !jid.includes("@") || ctx.origin.carbon === "sent") return;
    if (!(await deps.hasOmemo(jid))) return;
    refuse(ctx, {
      jid,
      deviceId: undefined,
      condition: "plaintext-refused",
      reason: `plaintext from ${jid}, who has OMEMO, refused (requireEncryption)`,
    });
  }
}

/** The message with its plaintext as `<body/>` and the OMEMO parts removed. */
function plainCopy(stanza: Element, plaintext: string): Element {
  const kept = stanza.children.filter(
    (child) =>
      typeof child !== "string" &&
      !child.is("encrypted", NS_OMEMO) &&
      !child.is("encryption", NS_EME) &&
      !child.is("store", NS_HINTS) &&
      child.name !== "body",
  );
  return xml("message", { ...stanza.attrs }, ...kept, xml("body", {}, plaintext));
}
