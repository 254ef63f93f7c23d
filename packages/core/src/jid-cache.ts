/**
 * A bounded cache in front of {@link tryParseJid}: the same few JIDs (the
 * account, its server, the peers of live conversations) are parsed for every
 * stanza, and normalising a domain through IDNA is the costliest step of the
 * inbound path. Parsed JIDs are frozen, so sharing them is safe.
 */
import { type Jid, tryParseJid } from "./jid.js";

const MAX = 2_048;
const cache = new Map<string, Jid | null>();

/** Like `tryParseJid`, remembering recent answers (invalid ones too). */
export function cachedJid(input: string | undefined | null): Jid | undefined {
  if (typeof input !== "string") return undefined;
  const hit = cache.get(input);
  if (hit !== undefined) return hit ?? undefined;
  const jid = tryParseJid(input);
  // Oversized inputs are rare and hostile: never let them fill the cache.
  if (input.length <= 3_100) {
    if (cache.size >= MAX) cache.clear();
    cache.set(input, jid ?? null);
  }
  return jid;
}
