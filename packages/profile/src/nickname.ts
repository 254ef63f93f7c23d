/**
 * XEP-0172 user nickname over PEP (§ 4.5): `<nick xmlns='…nick'>name</nick>`
 * as the single item of the nick node. Nicknames are display hints, never
 * identities; received ones are trimmed of control characters and bounded.
 */
import { type Element, xml } from "@clawxmpp/core";
import { NS_NICK } from "./namespaces.js";
import { ProfileError } from "./profile-error.js";

const MAX_NICK = 1_024;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we remove
const CONTROL = /[\u0000-\u001f\u007f]/gu;

/** The payload publishing `nickname` (or clearing it, when undefined). */
export function nickPayload(nickname: string | undefined): Element {
  if (nickname === undefined) return xml("nick", { xmlns: NS_NICK });
  const clean = nickname.replace(CONTROL, "").trim();
  if (clean.length === 0 || clean.length > MAX_NICK) {
    throw new ProfileError("invalid", `a nickname must be 1 to ${MAX_NICK} visible characters`);
  }
  return xml("nick", { xmlns: NS_NICK }, clean);
}

/** Reads a nick payload; undefined for an empty (cleared) or unusable one. */
export function readNick(payload: Element | undefined): string | undefined {
  if (!payload?.is("nick", NS_NICK)) return undefined;
  const text = payload.text().replace(CONTROL, "").trim().slice(0, MAX_NICK);
  return text.length > 0 ? text : undefined;
}
