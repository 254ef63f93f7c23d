/**
 * Room memberships and their lifecycle (XEP-0045 §7.2 entering a room): the
 * join in flight with its timeout, failure handling (final refusals versus
 * conditions worth retrying with backoff), and rejoining every room after a
 * session that was not resumed.
 */
import {
  backoffDelay,
  type Emitter,
  type Logger,
  type PluginClient,
  type PluginContext,
  tryParseJid,
} from "@clawxmpp/core";
import { MucError } from "./muc-error.js";
import type { MucOptions } from "./muc-options.js";
import { joinPresence } from "./muc-presence.js";
import type { MucEvents, RoomInfo } from "./muc-types.js";
import type { RoomState } from "./room-state.js";

const RETRY_BACKOFF = { initialDelay: 2_000, maxDelay: 300_000, factor: 2, jitter: 0.5 };
/** Conditions after which retrying the same join cannot help. */
const FINAL_CONDITIONS = new Set([
  "conflict",
  "forbidden",
  "not-authorized",
  "registration-required",
  "not-allowed",
  "jid-malformed",
  "bad-request",
]);

/** What the membership logic works with. */
export interface MucDeps {
  ctx: PluginContext;
  /** The plugin's view of the client. */
  client: PluginClient;
  opts: MucOptions;
  events: Emitter<MucEvents>;
  log: Logger;
}

/** Every room we are in, joining, or waiting to rejoin. */
export class Membership {
  readonly deps: MucDeps;
  readonly rooms = new Map<string, RoomState>();
  stopped = false;

  constructor(deps: MucDeps) {
    this.deps = deps;
  }

  /** The room for any spelling of its JID. */
  get(jid: string): RoomState | undefined {
    const parsed = tryParseJid(jid);
    return parsed ? this.rooms.get(parsed.bare) : undefined;
  }

  /** Adds a room (not yet joined). */
  add(room: RoomState): RoomState {
    this.rooms.set(room.jid, room);
    return room;
  }

  /**
   * Sends the join presence and waits for the self-presence. `automatic`
   * marks rejoins and auto-joins, whose failures are retried and reported as events.
   */
  startJoin(room: RoomState, automatic: boolean): Promise<RoomInfo> {
    const { ctx, opts } = this.deps;
    room.cancelRetry?.();
    room.cancelRetry = undefined;
    room.cancelGrace?.();
    room.cancelGrace = undefined;
    room.refreshing = room.state === "joined";
    room.state = "joining";
    room.rejoining = automatic;
    room.historyPhase = true;
    // Re-entering a room we may still be in: the occupants we know stay known until they change.
    if (!room.refreshing) room.roster.clear();
    room.conflicts = 0;
    room.nick = room.baseNick;
    if (!room.pending) {
      let resolve!: (info: RoomInfo) => void;
      let reject!: (error: Error) => void;
      const promise = new Promise<RoomInfo>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // Automatic joins report through events; an unobserved rejection must not crash.
      promise.catch(() => {});
      room.pending = { promise, resolve, reject, cancelTimer: () => {} };
    }
    const pending = room.pending;
    pending.cancelTimer();
    pending.cancelTimer = ctx.clock.setTimeout(() => {
      this.fail(
        room,
        new MucError(room.jid, "timeout", `no self-presence within ${opts.joinTimeout} ms`),
      );
    }, opts.joinTimeout);
    this.sendJoin(room);
    return pending.promise;
  }

  /**
   * Sends (or re-sends, with a new nickname) the join presence. A membership belongs to the
   * session, so the join travels in the session-setup lane: never behind the application's
   * backlog, and dropped (then retried by the rejoin logic) if the session ends first.
   */
  sendJoin(room: RoomState): void {
    const { ctx, log } = this.deps;
    log.debug("joining", { room: room.jid, nick: room.nick, automatic: room.rejoining });
    ctx.session
      .send(joinPresence(room.jid, room.nick, room.password, room.history))
      .catch((error: unknown) => {
        this.fail(room, new MucError(room.jid, "send-failed", String(error), { cause: error }));
      });
  }

  /** Ends a join in flight with `error`; automatic joins are retried unless the refusal is final. */
  fail(room: RoomState, error: MucError): void {
    const { events, log } = this.deps;
    const pending = room.pending;
    room.pending = undefined;
    pending?.cancelTimer();
    if (this.rooms.get(room.jid) !== room) {
      pending?.reject(error);
      return;
    }
    room.state = "offline";
    const retriable = !FINAL_CONDITIONS.has(error.condition);
    const willRetry = room.autoRejoin && room.rejoining && retriable && !this.stopped;
    if (willRetry) this.scheduleRetry(room);
    else this.forget(room);
    if (room.rejoining) events.emit("joinFailed", { room: room.jid, error, willRetry });
    log.warn("join failed", { room: room.jid, condition: error.condition, willRetry });
    pending?.reject(error);
  }

  /** Rejoins `room` later, with exponential backoff. */
  scheduleRetry(room: RoomState): void {
    const { ctx, client, log } = this.deps;
    room.cancelRetry?.();
    const delay = backoffDelay(RETRY_BACKOFF, room.failures++);
    room.cancelRetry = ctx.clock.setTimeout(() => {
      room.cancelRetry = undefined;
      log.debug("retry timer", { room: room.jid, state: room.state });
      if (
        this.rooms.get(room.jid) === room &&
        room.state === "offline" &&
        client.status === "online"
      )
        void this.startJoin(room, true);
    }, delay);
  }

  /** Drops `room` for good: timers, waiters and state. */
  forget(room: RoomState): void {
    room.clearTimers();
    room.state = "offline";
    if (this.rooms.get(room.jid) === room) this.rooms.delete(room.jid);
    const gone = new MucError(room.jid, "gone", "no longer in the room");
    room.pending?.reject(gone);
    room.pending = undefined;
    room.nickChange?.reject(gone);
    room.nickChange = undefined;
  }

  /** A new (not resumed) session: it is in no room, so join every room we keep. */
  joinAll(): void {
    for (const room of [...this.rooms.values()]) {
      if (room.autoRejoin) void this.startJoin(room, true);
      else if (room.state === "joining") void this.startJoin(room, false);
      else if (room.state === "joined") {
        // The caller asked not to come back to this one.
        this.forget(room);
        this.deps.events.emit("left", { room: room.jid });
      }
    }
  }

  /** Releases everything; pending operations fail with `stopped`. */
  stop(): void {
    this.stopped = true;
    for (const room of this.rooms.values()) {
      room.clearTimers();
      const stopped = new MucError(room.jid, "stopped", "plugin stopped");
      room.pending?.reject(stopped);
      room.pending = undefined;
      room.nickChange?.reject(stopped);
      room.nickChange = undefined;
    }
    this.rooms.clear();
  }
}
