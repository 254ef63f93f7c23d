/**
 * The account's health monitor: while the client says it is online, the
 * server is pinged (XEP-0199 §4.2) every `intervalMs`; when nothing answered
 * for `timeoutMs` the session is wedged (a server that accepts bytes but no
 * longer routes, a proxy holding a dead peer) and the connection is dropped,
 * so the core client reconnects. The core's keepalive only notices silent
 * sockets; this notices a session that is busy but unanswered.
 */
import type { Client } from "@clawxmpp/core";
import { xml } from "@clawxmpp/core";

const NS_PING = "urn:xmpp:ping";

/** Timer functions (fake in unit tests). */
export interface HealthClock {
  now(): number;
  setInterval(run: () => void, ms: number): () => void;
}

/** What the monitor watches and does. */
export interface HealthMonitorDeps {
  client: Pick<Client, "status" | "iq" | "dropConnection">;
  intervalMs: number;
  timeoutMs: number;
  /** Told when the account is restarted, with why. */
  onRestart: (reason: string) => void;
  clock?: HealthClock;
}

/** A running monitor. */
export interface HealthMonitor {
  /** Last time the server answered (or the session started). */
  lastAnswerAt(): number;
  /** Restarts performed. */
  restarts(): number;
  stop(): void;
}

const realClock: HealthClock = {
  now: () => Date.now(),
  setInterval: (run, ms) => {
    const timer = setInterval(run, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

/** Starts watching `client`. */
export function startHealthMonitor(deps: HealthMonitorDeps): HealthMonitor {
  const clock = deps.clock ?? realClock;
  let lastAnswer = clock.now();
  let restarts = 0;
  let inFlight = false;
  let wasOnline = false;
  let session = 0;

  const tick = () => {
    const online = deps.client.status === "online";
    if (!online) {
      // Reconnecting is the core's job; the clock restarts with the next session.
      wasOnline = false;
      return;
    }
    if (!wasOnline) {
      wasOnline = true;
      lastAnswer = clock.now();
      // A ping of the previous session no longer counts (nor blocks this one's).
      session++;
      inFlight = false;
    }
    const silentFor = clock.now() - lastAnswer;
    if (silentFor >= deps.timeoutMs) {
      restarts++;
      wasOnline = false;
      deps.onRestart(`no answer from the server for ${Math.round(silentFor / 1000)} s`);
      deps.client.dropConnection();
      return;
    }
    if (inFlight) return;
    inFlight = true;
    const current = session;
    const answered = () => {
      if (current === session) lastAnswer = clock.now();
    };
    deps.client.iq
      .get(xml("ping", { xmlns: NS_PING }), undefined, { timeout: deps.intervalMs })
      .then(answered, (error: unknown) => {
        // An error reply is an answer too: the server is routing.
        if ((error as { condition?: unknown }).condition !== undefined) answered();
      })
      .finally(() => {
        if (current === session) inFlight = false;
      });
  };
  const cancel = clock.setInterval(tick, deps.intervalMs);
  return {
    lastAnswerAt: () => lastAnswer,
    restarts: () => restarts,
    stop: cancel,
  };
}
