/**
 * Presence stanzas (RFC 6121 §4) as plain typed objects.
 */
import type { Jid } from "../jid.js";
import { cachedJid } from "../jid-cache.js";
import type { Element } from "../xml.js";

/** Fields plugins add to presences (augmented like `MessageExtensions`). */
// biome-ignore lint/suspicious/noEmptyInterface: extended by declaration merging
export interface PresenceExtensions {}

/** RFC 6121 presence types; `available` stands for no type attribute. */
export type PresenceType =
  | "available"
  | "unavailable"
  | "subscribe"
  | "subscribed"
  | "unsubscribe"
  | "unsubscribed"
  | "probe"
  | "error";

/** A received presence. */
export interface InboundPresence extends PresenceExtensions {
  from: Jid;
  to: Jid | undefined;
  type: PresenceType;
  show: "away" | "chat" | "dnd" | "xa" | undefined;
  status: string | undefined;
  priority: number;
  stanza: Element;
}

const TYPES = new Set<string>([
  "unavailable",
  "subscribe",
  "subscribed",
  "unsubscribe",
  "unsubscribed",
  "probe",
  "error",
]);
const SHOWS = new Set<string>(["away", "chat", "dnd", "xa"]);

/** Parses a `<presence/>` stanza; `undefined` when `from` is missing or invalid. */
export function parsePresence(stanza: Element): InboundPresence | undefined {
  const from = cachedJid(stanza.attrs.from);
  if (!from) return undefined;
  const rawType = stanza.attrs.type;
  const show = stanza.getChildText("show") ?? undefined;
  const priority = Number.parseInt(stanza.getChildText("priority") ?? "0", 10);
  return {
    from,
    to: cachedJid(stanza.attrs.to),
    type: rawType && TYPES.has(rawType) ? (rawType as PresenceType) : "available",
    show: show && SHOWS.has(show) ? (show as InboundPresence["show"]) : undefined,
    status: stanza.getChildText("status") ?? undefined,
    priority: Number.isFinite(priority) ? Math.max(-128, Math.min(127, priority)) : 0,
    stanza,
  };
}
