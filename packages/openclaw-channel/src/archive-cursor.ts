/**
 * The XEP-0313 catch-up cursor of the core client, kept in the account's state
 * directory (`archive-cursor.json`) so messages that arrived while the gateway
 * was down are fetched on the next start (prior-art P1/P2).
 */
import type { ArchiveCursorStore } from "@clawxmpp/core";
import type { StateStore } from "./state-store.js";

const NAME = "archive-cursor";

/** An archive cursor store over `store`; an unreadable file is reported by the core's logger. */
export function archiveCursor(store: StateStore): ArchiveCursorStore {
  return {
    async load() {
      const value = await store.read<{ id?: unknown } | null>(NAME, null);
      return typeof value?.id === "string" && value.id.length <= 1024 ? value.id : undefined;
    },
    save: (id) => store.write(NAME, { id, savedAt: new Date().toISOString() }),
  };
}
