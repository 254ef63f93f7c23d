/**
 * XEP-0410 MUC Self-Ping: an XEP-0199 ping to our own occupant JID tells
 * whether the room still counts us as an occupant after a silent server
 * restart or a lost presence (§3.2 interpretation of the reply).
 */
import { ClawXmppError, type IqCaller, StanzaError, xml } from "@clawxmpp/core";
import { NS_PING } from "./namespaces.js";

/** `joined`, `gone` (rejoin), or `unknown` (try again later). */
export type SelfPingVerdict = "joined" | "gone" | "unknown";

/** Conditions meaning the room no longer knows us (§3.2). */
const GONE = new Set(["not-acceptable", "item-not-found"]);
/** Conditions meaning the ping reached our own client or the room: we are joined (§3.2). */
const JOINED = new Set(["service-unavailable", "feature-not-implemented"]);

/** Pings `room/nick`. */
export async function selfPing(
  iq: IqCaller,
  room: string,
  nick: string,
  timeout: number,
): Promise<SelfPingVerdict> {
  try {
    await iq.get(xml("ping", { xmlns: NS_PING }), `${room}/${nick}`, { timeout });
    return "joined";
  } catch (error) {
    if (error instanceof StanzaError) {
      if (GONE.has(error.condition)) return "gone";
      if (JOINED.has(error.condition)) return "joined";
      return "unknown";
    }
    // No answer at all: a lost membership is likelier than a room that is merely slow,
    // and re-sending the join presence to a room we are still in is harmless.
    if (ClawXmppError.isInstance(error) && error.code === "timeout") return "gone";
    return "unknown";
  }
}
