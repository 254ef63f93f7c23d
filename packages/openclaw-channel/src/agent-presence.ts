/**
 * The bot's presence shows the agent's state (RFC 6121 §4.7.2): `dnd` with a
 * status text while at least one turn runs, plain available when all are
 * done. Going idle waits a moment, so back-to-back turns do not make the
 * presence flicker. Presence goes to contacts (the server broadcasts it);
 * rooms keep the join presence.
 */
import { type Client, xml } from "@clawxmpp/core";

/** How long after the last turn the presence turns available again. */
export const IDLE_DELAY_MS = 1_000;

/** Counts running turns and shows busy/available. */
export interface AgentPresence {
  /** A turn started; returns the function that ends it (idempotent). */
  busy(): () => void;
  /** Stops timers. */
  stop(): void;
}

/** Options of {@link createAgentPresence}. */
export interface AgentPresenceOptions {
  client: Pick<Client, "sendPresence" | "status">;
  busyStatus: string;
  idleStatus: string | undefined;
  /** Called with a presence that could not be sent. */
  onError?: (error: unknown) => void;
}

/** Creates the presence tracker of one account. */
export function createAgentPresence(options: AgentPresenceOptions): AgentPresence {
  let running = 0;
  let shownBusy = false;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const send = (busy: boolean) => {
    if (options.client.status !== "online") return;
    const children = busy
      ? [xml("show", {}, "dnd"), xml("status", {}, options.busyStatus)]
      : options.idleStatus === undefined
        ? []
        : [xml("status", {}, options.idleStatus)];
    options.client
      .sendPresence({}, ...children)
      .catch((error: unknown) => options.onError?.(error));
  };
  return {
    busy() {
      running++;
      if (idleTimer !== undefined) clearTimeout(idleTimer);
      idleTimer = undefined;
      if (!shownBusy) {
        shownBusy = true;
        send(true);
      }
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        running--;
        if (running > 0) return;
        idleTimer = setTimeout(() => {
          idleTimer = undefined;
          if (running === 0 && shownBusy) {
            shownBusy = false;
            send(false);
          }
        }, IDLE_DELAY_MS);
        idleTimer.unref?.();
      };
    },
    stop() {
      if (idleTimer !== undefined) clearTimeout(idleTimer);
      idleTimer = undefined;
    },
  };
}
