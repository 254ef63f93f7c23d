/**
 * Message stanzas (RFC 6121 §5) as plain typed objects, plus the fields the
 * core itself understands: XEP-0203 delay, XEP-0359 stanza and origin ids.
 * Plugins add their own fields by augmenting {@link MessageExtensions}.
 */
import type { Jid } from "../jid.js";
import { cachedJid } from "../jid-cache.js";
import { randomStanzaId } from "../stanza-id.js";
import { type Element, xml } from "../xml.js";

/** RFC 6121 §5.2.2 message types. */
export type MessageType = "chat" | "normal" | "groupchat" | "headline" | "error";

/**
 * Fields plugins add to inbound messages. Augment it from a plugin package:
 * `declare module "@clawxmpp/core" { interface MessageExtensions { muc?: MucInfo } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: extended by declaration merging
export interface MessageExtensions {}

/** Fields plugins accept on outgoing messages (augmented like {@link MessageExtensions}). */
// biome-ignore lint/suspicious/noEmptyInterface: extended by declaration merging
export interface OutgoingExtensions {}

/** A received message. */
export interface InboundMessage extends MessageExtensions {
  /** The stanza's `id` attribute (the sender's id). */
  id: string | undefined;
  /** Sender, a full or bare JID. For a sent carbon, the account itself. */
  from: Jid;
  /** Recipient. */
  to: Jid | undefined;
  type: MessageType;
  body: string | undefined;
  subject: string | undefined;
  thread: string | undefined;
  /** XEP-0359 origin-id set by the sender's client. */
  originId: string | undefined;
  /** XEP-0359 stanza-ids, keyed by the JID that assigned them (server or room). */
  stanzaIds: Record<string, string>;
  /** XEP-0203: when the message was originally sent, if it was delayed (offline, history). */
  delay: { stamp: Date; from: string | undefined } | undefined;
  /** True when this is a copy of a message the account itself sent (XEP-0280 sent carbon). */
  outgoing: boolean;
  /** How it reached us. */
  via: "live" | "carbon" | "archive";
  /** The core already answered its XEP-0184 receipt request (`delivery.receipts`). */
  receiptAnswered: boolean;
  /** The stanza, after guard and decrypt stages. */
  stanza: Element;
}

/** A message to send. */
export interface OutgoingMessage extends OutgoingExtensions {
  /** Recipient JID. */
  to: string;
  /** Sender JID: only a component sets it (any JID of its domain); a client's server stamps it. */
  from?: string;
  /** @default "chat" */
  type?: Exclude<MessageType, "error">;
  body?: string;
  /** Stanza id; 16 random base64url characters (96 bits) when left out (also the XEP-0359 origin-id). */
  id?: string;
  thread?: string;
  /** Extra child elements, appended as given. */
  children?: Element[];
}

const NS_DELAY = "urn:xmpp:delay";
const NS_SID = "urn:xmpp:sid:0";

/** Parses a `<message/>` stanza; `undefined` when its `from` is not a valid JID. */
export function parseMessage(stanza: Element, accountDomain: string): InboundMessage | undefined {
  const from = cachedJid(stanza.attrs.from ?? accountDomain);
  if (!from) return undefined;
  const type = normaliseType(stanza.attrs.type);
  const stanzaIds: Record<string, string> = {};
  for (const sid of stanza.getChildren("stanza-id", NS_SID)) {
    const by = cachedJid(sid.attrs.by)?.bare;
    if (by && sid.attrs.id) stanzaIds[by] = sid.attrs.id;
  }
  return {
    id: stanza.attrs.id,
    from,
    to: cachedJid(stanza.attrs.to),
    type,
    body: stanza.getChildText("body") ?? undefined,
    subject: stanza.getChildText("subject") ?? undefined,
    thread: stanza.getChildText("thread") ?? undefined,
    originId: stanza.getChild("origin-id", NS_SID)?.attrs.id,
    stanzaIds,
    delay: parseDelay(stanza),
    outgoing: false,
    via: "live",
    receiptAnswered: false,
    stanza,
  };
}

/** XEP-0203 delay of a stanza, if any. */
export function parseDelay(stanza: Element): InboundMessage["delay"] {
  const delay = stanza.getChild("delay", NS_DELAY);
  const stamp = delay?.attrs.stamp ? new Date(delay.attrs.stamp) : undefined;
  if (!delay || !stamp || Number.isNaN(stamp.getTime())) return undefined;
  return { stamp, from: delay.attrs.from };
}

function normaliseType(type: string | undefined): MessageType {
  switch (type) {
    case "chat":
    case "groupchat":
    case "headline":
    case "error":
      return type;
    default:
      return "normal";
  }
}

/** Builds the stanza for an outgoing message, with an XEP-0359 origin-id equal to its id. */
export function buildMessage(message: OutgoingMessage): Element {
  const id = message.id ?? randomStanzaId();
  return xml(
    "message",
    { to: message.to, from: message.from, type: message.type ?? "chat", id },
    message.body !== undefined && xml("body", {}, message.body),
    message.thread !== undefined && xml("thread", {}, message.thread),
    xml("origin-id", { xmlns: NS_SID, id }),
    ...(message.children ?? []),
  );
}
