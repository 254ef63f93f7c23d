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
import { parseXml, xml } from "@clawxmpp/core";
import type { MucHandle } from "@clawxmpp/muc";
import { encodeAddress } from "./device-address.js";
import { findEncrypted, parseEncrypted } from "./encrypted-element.js";
import { fingerprintHex } from "./fingerprint.js";
import { NS_EME, NS_HINTS, NS_OMEMO } from "./namespaces.js";
import { OmemoError } from "./omemo-error.js";
import type { OmemoRuntime } from "./omemo-runtime.js";
import type { OmemoMessageInfo, UndecryptableEvent } from "./omemo-types.js";
import { type EncryptedMessage2, findEncrypted2, parseEncrypted2 } from "./v2/encrypted-element.js";
import { NS_OMEMO2 } from "./v2/namespaces.js";
import { parseEnvelope } from "./v2/sce-envelope.js";

/** What the stage needs. */
export interface DecryptStageDeps {
  runtime: () => Promise<OmemoRuntime>;
  muc: MucHandle | undefined;
  logger: Logger;
  requireEncryption: boolean;
  /** True when `jid` has OMEMO devices (for `requireEncryption`). */
  hasOmemo: (jid: string) => Promise<boolean>;
  /** A PreKey message (a key exchange for OMEMO 2) was decrypted live: replace the consumed prekey. */
  preKeyConsumed: (version: 1 | 2) => void;
  /** A live message came from this device (a device list that lacks it is refreshed). */
  senderDevice: (jid: string, deviceId: number, version: 1 | 2) => void;
  /** Our bare JID (OMEMO 2 keys are addressed to it). */
  account: string;
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
    const element2 = findEncrypted2(stanza);
    if (!element && !element2) {
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
    // OMEMO 2 first when it holds a key for us (a sender of both versions addresses each device once).
    if (element2 && runtime.deps.v2) {
      let message2: EncryptedMessage2 | undefined;
      try {
        message2 = parseEncrypted2(element2);
      } catch (error) {
        if (!element) {
          const condition = error instanceof OmemoError ? error.condition : "malformed";
          refuse(ctx, { jid, deviceId: undefined, condition, reason: (error as Error).message });
          return;
        }
      }
      const forUs =
        message2?.keys.some((k) => k.jid === deps.account && k.rid === runtime.deviceId) ?? false;
      if (message2 && (forUs || !element)) {
        await decrypt2(ctx, runtime, message2, jid, groupchat);
        return;
      }
    }
    if (!element) return;
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
    else deps.senderDevice(jid, message.sid, 1);
    try {
      const result = await runtime.deps.sessions.decrypt(jid, message);
      if (result.prekey && result.preKeyId !== undefined && ctx.origin.via !== "archive") {
        deps.preKeyConsumed(1);
      }
      if (result.plaintext === undefined) {
        ctx.drop("omemo: key transport");
        return;
      }
      const trust = (await runtime.deps.store.getTrust(result.sender)) ?? "trusted";
      const plain = plainCopy(stanza, result.plaintext);
      deps.decrypted.set(plain, {
        encrypted: true,
        version: 1,
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

  /** An OMEMO 2 message: the key, the payload, then the SCE envelope checked against the stanza. */
  async function decrypt2(
    ctx: InboundContext,
    runtime: OmemoRuntime,
    message: EncryptedMessage2,
    jid: string,
    groupchat: boolean,
  ): Promise<void> {
    const v2 = runtime.deps.v2;
    const stanza = ctx.stanza;
    if (!v2) return;
    if (message.sid === runtime.deviceId) {
      ctx.drop("omemo: our own message");
      return;
    }
    if (ctx.origin.via === "archive") deps.archiveStarted();
    else deps.senderDevice(jid, message.sid, 2);
    try {
      const result = await v2.sessions.decrypt(jid, message);
      if (result.prekey && ctx.origin.via !== "archive") deps.preKeyConsumed(2);
      if (result.plaintext === undefined) {
        ctx.drop("omemo: empty OMEMO 2 message");
        return;
      }
      const envelope = parseXml(new TextDecoder().decode(result.plaintext), ENVELOPE_BOUNDS);
      const opened = parseEnvelope(envelope, {
        from: jid,
        to: groupchat ? bare(stanza.attrs.from) : (stanza.attrs.to ?? deps.account),
        requireTo: groupchat,
      });
      const plain = plainCopy2(stanza, opened.content);
      deps.decrypted.set(plain, {
        encrypted: true,
        version: 2,
        jid,
        deviceId: message.sid,
        fingerprint: fingerprintHex(result.identityKey),
        trust: (await runtime.deps.store.getTrust(result.sender)) ?? "trusted",
        prekey: result.prekey,
      });
      ctx.stanza = plain;
    } catch (error) {
      const condition = error instanceof OmemoError ? error.condition : "malformed";
      refuse(
        ctx,
        { jid, deviceId: message.sid, condition, reason: (error as Error).message },
        condition === "duplicate",
      );
      const broken = condition === "bad-mac" || condition === "no-session";
      const kex = message.keys.some((k) => k.rid === runtime.deviceId && k.kex);
      if (broken && !kex && ctx.origin.via !== "archive") {
        void runtime.heal2({ jid, deviceId: message.sid }, jid, "chat");
      }
    }
  }

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

const ENVELOPE_BOUNDS = { maxBytes: 256 * 1024, maxDepth: 16 };

/**
 * Envelope content that must not come from the sender's device: what servers stamp or route by
 * (XEP-0420 § 3.1: the receiver ignores it), and encryption inside encryption.
 */
const NOT_CONTENT: readonly (readonly [string, string])[] = [
  ["stanza-id", "urn:xmpp:sid:0"],
  ["delay", "urn:xmpp:delay"],
  ["x", "http://jabber.org/protocol/muc#user"],
  ["addresses", "http://jabber.org/protocol/address"],
  ["result", "urn:xmpp:mam:2"],
  ["sent", "urn:xmpp:carbons:2"],
  ["received", "urn:xmpp:carbons:2"],
  ["encrypted", NS_OMEMO],
  ["encrypted", NS_OMEMO2],
];

/**
 * A detached copy of `element` with every namespace spelled as a default `xmlns`: senders may
 * declare prefixes on the envelope (python's ElementTree writes `ns0:reactions`), which would be
 * lost once the content leaves it.
 */
function unprefixed(element: Element): Element {
  const attrs: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(element.attrs)) {
    if (key !== "xmlns" && !key.startsWith("xmlns:")) attrs[key] = value;
  }
  attrs.xmlns = element.getNS();
  const colon = element.name.indexOf(":");
  const name = colon === -1 ? element.name : element.name.slice(colon + 1);
  return xml(
    name,
    attrs,
    ...element.children.map((c) => (typeof c === "string" ? c : unprefixed(c))),
  );
}

/** The message with the envelope's content in place of the OMEMO parts (and of clear copies of it). */
function plainCopy2(stanza: Element, content: Element[]): Element {
  const allowed = content
    .map(unprefixed)
    .filter((c) => !NOT_CONTENT.some(([name, ns]) => c.is(name, ns)));
  for (const child of allowed) {
    if (child.attrs.xmlns === "jabber:client") delete child.attrs.xmlns;
  }
  const replaced = (child: Element) =>
    allowed.some((c) => c.name === child.name && c.getNS() === (child.getNS() ?? c.getNS()));
  const kept = stanza.children.filter(
    (child): child is Element =>
      typeof child !== "string" &&
      !child.is("encrypted", NS_OMEMO) &&
      !child.is("encrypted", NS_OMEMO2) &&
      !child.is("encryption", NS_EME) &&
      !child.is("store", NS_HINTS) &&
      child.name !== "body" &&
      !replaced(child),
  );
  return xml("message", { ...stanza.attrs }, ...kept, ...allowed);
}

/** The message with its plaintext as `<body/>` and the OMEMO parts removed. */
function plainCopy(stanza: Element, plaintext: string): Element {
  const kept = stanza.children.filter(
    (child) =>
      typeof child !== "string" &&
      !child.is("encrypted", NS_OMEMO) &&
      !child.is("encrypted", NS_OMEMO2) &&
      !child.is("encryption", NS_EME) &&
      !child.is("store", NS_HINTS) &&
      child.name !== "body",
  );
  return xml("message", { ...stanza.attrs }, ...kept, xml("body", {}, plaintext));
}
