/**
 * XEP-0444 Message Reactions §3: the full current set of emojis is sent each
 * time (an empty `<reactions/>` removes them all); `id` names the target, in
 * group chat by the room's XEP-0359 stanza-id. §6: a `<reaction/>` holds one
 * emoji; anything else is ignored on receipt and refused on send.
 */
import { ClawXmppError, type Element, type OutgoingMessage, xml } from "@clawxmpp/core";
import { storeHint } from "./hints.js";
import { MAX_REACTIONS, validId } from "./limits.js";
import { NS_REACTIONS } from "./namespaces.js";

/** Reactions carried by a message. */
export interface Reactions {
  /** Id of the message reacted to. */
  targetId: string;
  /** The sender's complete current set; empty means every reaction was removed. */
  emojis: string[];
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
// Pictographs, flags (regional indicator pairs) and keycaps; plain digits are not emojis.
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u;
const MAX_EMOJI_LENGTH = 64;

/** True when `value` is exactly one emoji (one grapheme cluster that renders as an emoji). */
export function isSingleEmoji(value: string): boolean {
  if (value.length === 0 || value.length > MAX_EMOJI_LENGTH || !EMOJI.test(value)) return false;
  let count = 0;
  for (const _ of segmenter.segment(value)) {
    count++;
    if (count > 1) return false;
  }
  return count === 1;
}

/** The reaction message; throws a `protocol` error for anything that is not a single emoji. */
export function buildReactions(
  to: string,
  targetId: string,
  emojis: readonly string[],
  type: "chat" | "groupchat" = "chat",
): OutgoingMessage {
  if (validId(targetId) === undefined) {
    throw new ClawXmppError("protocol", "[markers] reaction target id is empty or too long");
  }
  const unique = [...new Set(emojis)];
  for (const emoji of unique) {
    if (!isSingleEmoji(emoji)) {
      throw new ClawXmppError(
        "protocol",
        `[markers] ${JSON.stringify(emoji)} is not a single emoji (XEP-0444 §6)`,
      );
    }
  }
  if (unique.length > MAX_REACTIONS) {
    throw new ClawXmppError("protocol", `[markers] at most ${MAX_REACTIONS} reactions`);
  }
  return {
    to,
    type,
    children: [
      xml(
        "reactions",
        { xmlns: NS_REACTIONS, id: targetId },
        ...unique.map((emoji) => xml("reaction", {}, emoji)),
      ),
      storeHint(),
    ],
  };
}

/** The reactions a stanza carries; invalid and duplicate emojis are dropped. */
export function parseReactions(stanza: Element): Reactions | undefined {
  const element = stanza.getChild("reactions", NS_REACTIONS);
  const targetId = validId(element?.attrs.id);
  if (!element || targetId === undefined) return undefined;
  const emojis: string[] = [];
  for (const reaction of element.getChildren("reaction")) {
    const emoji = reaction.text().trim();
    if (isSingleEmoji(emoji) && !emojis.includes(emoji)) emojis.push(emoji);
    if (emojis.length >= MAX_REACTIONS) break;
  }
  return { targetId, emojis };
}
