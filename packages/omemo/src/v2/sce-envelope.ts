/**
 * Stanza Content Encryption envelopes (XEP-0420 0.4 § 4, § 5) with the
 * OMEMO 2 profile (XEP-0384 0.8 § 4.4): what OMEMO 2 encrypts is
 *
 *   <envelope xmlns='urn:xmpp:sce:1'>
 *     <content>…the stanza's extension elements (body, reactions, replace, …)…</content>
 *     <rpad>random padding</rpad>
 *     <time stamp='XEP-0082 date-time'/>
 *     <to jid='recipient bare JID or room'/>
 *     <from jid='sender JID'/>
 *   </envelope>
 *
 * The profile makes `rpad` and `from` required and `to` required in rooms;
 * we always send all four. On receipt the affixes are checked against the
 * outer stanza: `from` and `to` must name the stanza's sender and recipient
 * (bare comparison when the affix is a bare JID), `time` must parse and not
 * lie in the future beyond a skew. An envelope that fails is refused, so a
 * device cannot replay content between conversations.
 *
 * Serialise with `element.toString()`; the decrypted text must be parsed by a
 * bounded XML parser before {@link parseEnvelope} (the package has none).
 */
import { type Element, parseJid, tryParseJid, xml } from "@clawxmpp/core";
import { OmemoError } from "../omemo-error.js";
import { clip } from "../wire-limits.js";
import { type RandomSource, secureRandom } from "./primitives.js";

/** The SCE namespace. */
export const NS_SCE = "urn:xmpp:sce:1";

/** What to put in an envelope. */
export interface EnvelopeOptions {
  /** The encrypted stanza's extension elements. */
  content: readonly Element[];
  /** Our JID (bare in rooms, as XEP-0384 recommends; full or bare in 1:1). */
  from: string;
  /** The recipient's bare JID, or the room's. */
  to: string;
  /** Timestamp; `false` leaves `<time>` out. Default: now. */
  time?: Date | false;
  /** Randomness for the padding length and text. */
  random?: RandomSource;
}

/** A parsed, checked envelope. */
export interface OpenedEnvelope {
  content: Element[];
  from: string;
  to: string | undefined;
  time: Date | undefined;
}

/** What the envelope must agree with: the outer stanza, as the receiver sees it. */
export interface EnvelopeExpectations {
  /** The sender's JID (in rooms: the occupant's real JID, from the room). */
  from: string;
  /** Our JID for 1:1, the room's JID for groupchat. */
  to: string;
  /** Whether `<to>` must be present (required in rooms by XEP-0384). Default true. */
  requireTo?: boolean;
  /** Milliseconds since the epoch; default `Date.now()`. */
  now?: number;
  /** How far in the future `<time>` may be (clock skew). Default one day. */
  maxFutureSkewMs?: number;
}

/** Bounds on what an envelope may hold. */
export interface EnvelopeLimits {
  maxContentElements: number;
  maxRpadLength: number;
}

export const DEFAULT_ENVELOPE_LIMITS: Readonly<EnvelopeLimits> = Object.freeze({
  maxContentElements: 64,
  maxRpadLength: 1024,
});

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const PAD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Random padding: 1–200 characters (XEP-0420 § 5.1 suggests a random length up to 200). */
function padding(random: RandomSource): string {
  const bytes = random(201);
  const length = 1 + ((bytes[0] as number) % 200);
  let out = "";
  for (let i = 1; i <= length; i++) out += PAD_ALPHABET[(bytes[i] as number) & 63];
  return out;
}

/** Builds the envelope to encrypt. */
export function buildEnvelope(options: EnvelopeOptions): Element {
  const from = parseJid(options.from).full;
  const to = parseJid(options.to).full;
  const time = options.time === undefined ? new Date() : options.time;
  return xml(
    "envelope",
    { xmlns: NS_SCE },
    xml("content", {}, ...options.content),
    xml("rpad", {}, padding(options.random ?? secureRandom)),
    time === false ? null : xml("time", { stamp: time.toISOString() }),
    xml("to", { jid: to }),
    xml("from", { jid: from }),
  );
}

function single(envelope: Element, name: string): Element | undefined {
  const found = envelope.getChildren(name, NS_SCE);
  if (found.length > 1)
    throw new OmemoError("malformed", `SCE envelope has ${found.length} <${name}> elements`);
  return found[0];
}

function jidAffix(element: Element | undefined, name: string): string | undefined {
  if (!element) return undefined;
  const jid = tryParseJid(element.attrs.jid);
  if (!jid)
    throw new OmemoError(
      "malformed",
      `SCE <${name}> jid '${clip(element.attrs.jid ?? "")}' is not a JID`,
    );
  return jid.full;
}

/** True when affix `claimed` names `actual`: bare affixes match any resource, full ones only the same. */
function affixMatches(claimed: string, actual: string): boolean {
  const claim = parseJid(claimed);
  const real = tryParseJid(actual);
  if (!real) return false;
  return claim.resource === undefined ? claim.bare === real.bare : claim.full === real.full;
}

/** Parses an envelope and checks its affixes against the outer stanza; refuses anything that disagrees. */
export function parseEnvelope(
  envelope: Element,
  expect: EnvelopeExpectations,
  limits: EnvelopeLimits = DEFAULT_ENVELOPE_LIMITS,
): OpenedEnvelope {
  if (!envelope.is("envelope", NS_SCE))
    throw new OmemoError("malformed", `expected <envelope xmlns='${NS_SCE}'>`);
  const content = single(envelope, "content");
  if (!content) throw new OmemoError("malformed", "SCE envelope has no <content>");
  const children = content.getChildElements();
  if (children.length > limits.maxContentElements) {
    throw new OmemoError(
      "too-large",
      `SCE content has ${children.length} elements (limit ${limits.maxContentElements})`,
    );
  }
  const rpad = single(envelope, "rpad");
  if (!rpad) throw new OmemoError("malformed", "SCE envelope has no <rpad> (required by OMEMO)");
  if (rpad.getText().length > limits.maxRpadLength) {
    throw new OmemoError("too-large", `SCE <rpad> is longer than ${limits.maxRpadLength}`);
  }
  const from = jidAffix(single(envelope, "from"), "from");
  if (from === undefined)
    throw new OmemoError("malformed", "SCE envelope has no <from> (required by OMEMO)");
  if (!affixMatches(from, expect.from)) {
    throw new OmemoError(
      "untrusted",
      `SCE <from> '${clip(from)}' is not the sender '${clip(expect.from)}'`,
    );
  }
  const to = jidAffix(single(envelope, "to"), "to");
  if (to === undefined) {
    if (expect.requireTo ?? true) throw new OmemoError("malformed", "SCE envelope has no <to>");
  } else if (!affixMatches(to, expect.to)) {
    throw new OmemoError(
      "untrusted",
      `SCE <to> '${clip(to)}' is not the recipient '${clip(expect.to)}'`,
    );
  }
  const timeElement = single(envelope, "time");
  let time: Date | undefined;
  if (timeElement) {
    const stamp = timeElement.attrs.stamp ?? "";
    const millis = DATE_TIME.test(stamp) ? Date.parse(stamp) : Number.NaN;
    if (Number.isNaN(millis))
      throw new OmemoError("malformed", `SCE <time> stamp '${clip(stamp)}' is not a date-time`);
    const now = expect.now ?? Date.now();
    const skew = expect.maxFutureSkewMs ?? 24 * 60 * 60 * 1000;
    if (millis > now + skew)
      throw new OmemoError("untrusted", `SCE <time> ${stamp} lies in the future`);
    time = new Date(millis);
  }
  return { content: children, from, to, time };
}
