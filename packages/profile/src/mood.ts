/**
 * XEP-0107 user mood over PEP (§ 2): `<mood><happy/><text>…</text></mood>`;
 * an empty `<mood/>` clears it (§ 2.3). Unknown mood elements are read as
 * no mood; texts are bounded.
 */
import { type Element, xml } from "@clawxmpp/core";
import { isMood, type Mood } from "./mood-values.js";
import { NS_MOOD } from "./namespaces.js";
import { ProfileError } from "./profile-error.js";
import type { UserMood } from "./profile-types.js";

const MAX_TEXT = 1_024;

/** The payload publishing `mood` with optional `text` (or clearing it, when undefined). */
export function moodPayload(mood: Mood | undefined, text?: string): Element {
  if (mood === undefined) return xml("mood", { xmlns: NS_MOOD });
  if (!isMood(mood)) throw new ProfileError("invalid", `"${String(mood)}" is not an XEP-0107 mood`);
  if (text !== undefined && text.length > MAX_TEXT) {
    throw new ProfileError("invalid", `a mood text must be at most ${MAX_TEXT} characters`);
  }
  return xml(
    "mood",
    { xmlns: NS_MOOD },
    xml(mood, {}),
    text !== undefined && xml("text", {}, text),
  );
}

/** Reads a mood payload; undefined for a cleared or unusable one. */
export function readMood(payload: Element | undefined): UserMood | undefined {
  if (!payload?.is("mood", NS_MOOD)) return undefined;
  const mood = payload
    .getChildElements()
    .find((child) => child.name !== "text" && isMood(child.name));
  if (!mood) return undefined;
  const text = payload.getChildText("text");
  return { mood: mood.name as Mood, text: text === null ? undefined : text.slice(0, MAX_TEXT) };
}
