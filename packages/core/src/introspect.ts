/**
 * A read-only look inside a client: what plugins registered and what is
 * pending. For the conformance suite (nothing left behind after a plugin
 * stops) and for debugging; not a stable API for production logic.
 */

import { INTROSPECT } from "./client.js";
import type { Client } from "./client-handle.js";

/** What {@link introspect} reports. */
export interface ClientIntrospection {
  /** Plugin names in `use` order. */
  plugins: string[];
  /** Registered IQ handlers as `type xmlns name`. */
  iqHandlers: string[];
  /** Our IQ requests awaiting an answer. */
  pendingIq: number;
  /** Advertised disco features, sorted. */
  discoFeatures: string[];
  discoIdentities: number;
  /** Disco nodes with providers. */
  discoNodes: string[];
  /** Handlers per inbound and outbound stage. */
  stageHandlers: Record<"guard" | "decrypt" | "parse" | "build" | "encrypt", number>;
  /** Live timers of the client and its plugins. */
  timers: number;
  /** Listeners per client event. */
  listeners: Record<string, number>;
  /** Outbound stanzas waiting per lane, and written but unacknowledged. */
  queued: { control: number; app: number; unacked: number };
  /** Inbound conversations with work pending. */
  lanes: number;
  /** IQ senders whose budget is tracked. */
  iqSenders: number;
}

/** Reports a client's internal state. Throws for anything that is not a client from `createClient`. */
export function introspect(client: Client): ClientIntrospection {
  const inspect = (client as unknown as { [INTROSPECT]?: () => ClientIntrospection })[INTROSPECT];
  if (typeof inspect !== "function")
    throw new TypeError("introspect() needs a client from createClient()");
  return inspect.call(client);
}
