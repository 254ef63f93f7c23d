/**
 * Open command sessions (XEP-0050 §3.3) with the bounds hostile requesters
 * need: a per-requester and a total cap, an idle timeout after which the
 * session is gone, and a bounded memory of expired ids so a late request is
 * told `session-expired` instead of `bad-sessionid` (§4.6).
 */
import { randomUUID } from "node:crypto";
import type { Clock, Disposer, Jid } from "@clawxmpp/core";
import type { CommandStage } from "./command-types.js";

/** One open session. */
export interface CommandSession {
  readonly id: string;
  readonly node: string;
  readonly requester: Jid;
  /** Stages shown so far (the most recent ones); the last one is current. */
  readonly history: CommandStage[];
  /** How many stages the requester has moved forward (back with `prev`). */
  stage: number;
  readonly state: Map<string, unknown>;
  readonly abort: AbortController;
  /** A stage is being computed; a concurrent request is refused. */
  busy: boolean;
  cancelTimer: Disposer;
}

/** Bounds of the store. */
export interface SessionLimits {
  maxSessions: number;
  maxSessionsPerRequester: number;
  /** Idle time (ms) before a session expires. */
  timeout: number;
  /** How many expired ids are remembered. */
  rememberExpired: number;
}

/** Why a session could not be opened. */
export type OpenRefusal = "requester-limit" | "total-limit";

/** The store. */
export class SessionStore {
  readonly #sessions = new Map<string, CommandSession>();
  readonly #perRequester = new Map<string, number>();
  readonly #expired = new Map<string, string>();
  readonly #limits: SessionLimits;
  readonly #clock: Clock;
  readonly #onExpire: (session: CommandSession) => void;

  constructor(limits: SessionLimits, clock: Clock, onExpire: (session: CommandSession) => void) {
    this.#limits = limits;
    this.#clock = clock;
    this.#onExpire = onExpire;
  }

  /** Open sessions in total. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Open sessions of one requester (by bare JID). */
  countFor(requester: Jid): number {
    return this.#perRequester.get(requester.bare) ?? 0;
  }

  /** Opens a session, or says which bound refused it. */
  open(node: string, requester: Jid): CommandSession | OpenRefusal {
    if (this.countFor(requester) >= this.#limits.maxSessionsPerRequester) return "requester-limit";
    if (this.#sessions.size >= this.#limits.maxSessions) return "total-limit";
    const session: CommandSession = {
      id: randomUUID(),
      node,
      requester,
      history: [],
      stage: 0,
      state: new Map(),
      abort: new AbortController(),
      busy: false,
      cancelTimer: () => {},
    };
    this.#sessions.set(session.id, session);
    this.#perRequester.set(requester.bare, this.countFor(requester) + 1);
    this.touch(session);
    return session;
  }

  /** The session `id` of `requester` (same full JID), `expired`, or undefined when unknown. */
  get(id: string, requester: Jid): CommandSession | "expired" | undefined {
    const session = this.#sessions.get(id);
    if (session) return session.requester.full === requester.full ? session : undefined;
    return this.#expired.get(id) === requester.full ? "expired" : undefined;
  }

  /** Restarts the idle timer. */
  touch(session: CommandSession): void {
    session.cancelTimer();
    session.cancelTimer = this.#clock.setTimeout(() => {
      if (!this.#sessions.has(session.id)) return;
      this.#remove(session);
      this.#expired.set(session.id, session.requester.full);
      if (this.#expired.size > this.#limits.rememberExpired) {
        const oldest = this.#expired.keys().next().value;
        if (oldest !== undefined) this.#expired.delete(oldest);
      }
      this.#onExpire(session);
    }, this.#limits.timeout);
  }

  /** Ends a session (completed or cancelled). */
  close(session: CommandSession): void {
    if (this.#sessions.get(session.id) === session) this.#remove(session);
  }

  /** Ends every session (plugin stopped). */
  clear(): void {
    for (const session of [...this.#sessions.values()]) this.#remove(session);
    this.#expired.clear();
  }

  #remove(session: CommandSession): void {
    session.cancelTimer();
    session.abort.abort();
    this.#sessions.delete(session.id);
    const left = this.countFor(session.requester) - 1;
    if (left <= 0) this.#perRequester.delete(session.requester.bare);
    else this.#perRequester.set(session.requester.bare, left);
  }
}
