/**
 * What a room adds to an agent turn (XEP-0045 rooms keyed by bare JID, `*` for
 * every room): how much recent history the agent sees, the operator's extra
 * system prompt, and which skills it may use; and the join history asked for
 * (XEP-0045 §7.2.14) so the history buffer is filled from the first mention.
 */
import { type ResolvedXmppAccount, resolveGroupSettings } from "./accounts.js";

/** The room's share of a turn. */
export interface RoomTurnSettings {
  /** Recent messages given as context; 0 for none. */
  historyLimit: number;
  systemPrompt: string | undefined;
  /** Skills allowed; undefined: the agent's own. */
  skills: string[] | undefined;
}

/** Settings of `room` for a turn: its own entry, else `*`, else the account's defaults. */
export function roomTurnSettings(account: ResolvedXmppAccount, room: string): RoomTurnSettings {
  const settings = resolveGroupSettings(account, room);
  return {
    historyLimit: settings.historyLimit ?? account.historyLimit,
    systemPrompt: settings.systemPrompt,
    skills: settings.skills,
  };
}

/** A configured room with the join history its `historyLimit` needs. */
export interface AutoJoinRoom {
  jid: string;
  history: { maxStanzas: number };
}

/**
 * The configured rooms to join, each asking for as much join history as it
 * shows the agent: the buffer then holds context from the start. History
 * messages are never answered (`muc` marks them `isHistory`).
 */
export function autoJoinRooms(account: ResolvedXmppAccount): AutoJoinRoom[] {
  return account.groups.map((jid) => ({
    jid,
    history: { maxStanzas: roomTurnSettings(account, jid).historyLimit },
  }));
}
