/**
 * Per-room state of one membership (XEP-0045 §7.2 join, §7.14 exit): the
 * nickname we asked for and the one we hold, the join in flight, the history
 * window, and the bounded occupant roster.
 */
import type { Disposer } from "@clawxmpp/core";
import type { HistoryRequest } from "./muc-options.js";
import type { MucAffiliation, MucRole, RoomInfo } from "./muc-types.js";
import { OccupantRoster } from "./occupant-roster.js";

/** A join waiting for the room's self-presence. */
export interface PendingJoin {
  promise: Promise<RoomInfo>;
  resolve(info: RoomInfo): void;
  reject(error: Error): void;
  cancelTimer: Disposer;
}

/** Mutable state of one room. */
export class RoomState {
  readonly jid: string;
  /** The nickname asked for; conflicts add a suffix to it. */
  baseNick: string;
  /** The nickname in use (or being tried). */
  nick: string;
  password: string | undefined;
  history: HistoryRequest | undefined;
  state: RoomInfo["state"] = "offline";
  autoRejoin: boolean;
  readonly roster: OccupantRoster;
  role: MucRole | undefined;
  affiliation: MucAffiliation | undefined;
  subject: string | undefined;
  /** Messages are history until the subject arrives after our self-presence. */
  historyPhase = true;
  /**
   * The current join re-enters a room we were in when it started (XEP-0410
   * self-ping said gone, or did not answer): we may never have left, so live
   * messages keep flowing and only a delay (XEP-0203) marks history.
   */
  refreshing = false;
  conflicts = 0;
  /** Failed automatic joins in a row (backoff). */
  failures = 0;
  /** The current join is automatic (reconnect, self-ping, retry). */
  rejoining = false;
  /** We asked to leave. */
  leaving = false;
  /** Has been joined at least once. */
  everJoined = false;
  pending: PendingJoin | undefined;
  /** A nickname change we asked for (§7.6), waiting for status 303. */
  nickChange:
    | { nick: string; resolve(): void; reject(error: Error): void; cancelTimer: Disposer }
    | undefined;
  cancelGrace: Disposer | undefined;
  cancelRetry: Disposer | undefined;

  constructor(
    jid: string,
    nick: string,
    maxOccupants: number,
    extra: {
      password?: string | undefined;
      history?: HistoryRequest | undefined;
      autoRejoin: boolean;
    },
  ) {
    this.jid = jid;
    this.baseNick = nick;
    this.nick = nick;
    this.password = extra.password;
    this.history = extra.history;
    this.autoRejoin = extra.autoRejoin;
    this.roster = new OccupantRoster(jid, maxOccupants);
  }

  info(): RoomInfo {
    return {
      jid: this.jid,
      nickname: this.nick,
      state: this.state,
      subject: this.subject,
      role: this.role,
      affiliation: this.affiliation,
      autoRejoin: this.autoRejoin,
    };
  }

  /** Cancels every timer this room holds. */
  clearTimers(): void {
    this.cancelGrace?.();
    this.cancelGrace = undefined;
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    this.pending?.cancelTimer();
    this.nickChange?.cancelTimer();
  }
}
