/**
 * RFC 6121 §2.2 roster retrieval, for the channel directory (`openclaw
 * directory`): the bot's contacts as bare JIDs. A plugin of its own because the
 * core client exposes IQs to plugins only. Bounded: at most
 * {@link MAX_ROSTER_ITEMS} items are read, invalid JIDs are skipped.
 */
import { definePlugin, type Element, type PluginHandle, tryParseJid, xml } from "@clawxmpp/core";

const NS_ROSTER = "jabber:iq:roster";
/** Most roster items returned. */
export const MAX_ROSTER_ITEMS = 5_000;

/** The roster handle. */
export interface RosterHandle extends PluginHandle {
  /** Fetches the roster: contacts' bare JIDs with their names. */
  list(): Promise<{ jid: string; name: string | undefined }[]>;
}

/** The roster plugin (no options). */
export const roster = definePlugin("openclaw-roster", (ctx, _options: Record<string, never>) => {
  const handle: RosterHandle = {
    async list() {
      const result: Element = await ctx.iq.get(xml("query", { xmlns: NS_ROSTER }), undefined, {
        timeout: 10_000,
      });
      const query = result.name === "query" ? result : result.getChild("query", NS_ROSTER);
      const out: { jid: string; name: string | undefined }[] = [];
      for (const item of query?.getChildren("item") ?? []) {
        if (out.length >= MAX_ROSTER_ITEMS) break;
        const jid = tryParseJid(String(item.attrs.jid ?? ""));
        if (jid?.local === undefined || jid.resource !== undefined) continue;
        const name = typeof item.attrs.name === "string" ? item.attrs.name : undefined;
        out.push({ jid: jid.bare, name });
      }
      return out;
    },
    stop() {},
  };
  return handle;
});
