/**
 * RFC 6121 §2.2 roster retrieval: the account's contacts as bare JIDs with
 * their names and subscription states. Bounded: at most `max` items are read
 * and items with an invalid or full JID are skipped (the roster is the
 * server's, but its items were typed by people and other clients).
 */
import type { IqCaller } from "./iq.js";
import { tryParseJid } from "./jid.js";
import { type Element, xml } from "./xml.js";

/** The roster namespace. */
export const NS_ROSTER = "jabber:iq:roster";
/** Items read at most, unless told otherwise. */
export const MAX_ROSTER_ITEMS = 5_000;

/** One contact. */
export interface RosterItem {
  /** Normalised bare JID. */
  jid: string;
  /** The name the user gave the contact. */
  name: string | undefined;
  /** `none`, `to`, `from` or `both` (RFC 6121 §2.1.2.5); `none` when absent or unknown. */
  subscription: "none" | "to" | "from" | "both";
}

const SUBSCRIPTIONS = new Set(["none", "to", "from", "both"]);

/** Fetches the account's roster. */
export async function fetchRoster(
  iq: Pick<IqCaller, "get">,
  options: { max?: number; timeout?: number } = {},
): Promise<RosterItem[]> {
  const result: Element = await iq.get(xml("query", { xmlns: NS_ROSTER }), undefined, {
    timeout: options.timeout ?? 10_000,
  });
  const query = result.name === "query" ? result : result.getChild("query", NS_ROSTER);
  const max = options.max ?? MAX_ROSTER_ITEMS;
  const items: RosterItem[] = [];
  for (const item of query?.getChildren("item") ?? []) {
    if (items.length >= max) break;
    const jid = tryParseJid(String(item.attrs.jid ?? ""));
    if (jid?.local === undefined || jid.resource !== undefined) continue;
    const subscription = String(item.attrs.subscription ?? "none");
    items.push({
      jid: jid.bare,
      name: typeof item.attrs.name === "string" ? item.attrs.name : undefined,
      subscription: (SUBSCRIPTIONS.has(subscription)
        ? subscription
        : "none") as RosterItem["subscription"],
    });
  }
  return items;
}
