/**
 * The per-sender rate limit applied to a decision. Owners (`allowFrom`) are
 * never throttled: the operator must always reach the bot. Senders are keyed
 * by real bare JID; a room occupant whose real JID is hidden is keyed by its
 * occupant JID, so one flooder does not silence a room.
 */
import { tryParseJid } from "@clawxmpp/core";
import type { Decision, PolicyEvent } from "./decision.js";
import type { RateLimiter } from "./rate-limit.js";

/**
 * `decision` after the rate limit: unchanged when it is not an admission of a
 * `dm` or `group` event, for owners, or when `limiter` has a token; otherwise a
 * `deny` marked `throttled` (`first` the first time since the sender was last admitted).
 */
export function limitDecision(
  limiter: RateLimiter | undefined,
  event: PolicyEvent,
  decision: Decision,
): Decision {
  if (decision.action === "deny" || limiter === undefined) return decision;
  if (event.kind !== "dm" && event.kind !== "group") return decision;
  if (decision.sender === "owner") return decision;
  const key =
    decision.jid ??
    (event.kind === "group"
      ? `occupant:${tryParseJid(event.occupant)?.full ?? tryParseJid(event.room)?.bare}`
      : undefined);
  if (key === undefined) return decision;
  const verdict = limiter.consume(key);
  if (verdict === "ok") return decision;
  return {
    ...decision,
    action: "deny",
    reason: `rate limited (${decision.reason})`,
    throttled: verdict,
  };
}
