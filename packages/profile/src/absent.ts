/**
 * "Not there, or not for us" answers (RFC 6120 § 8.3.3 conditions a PEP
 * service uses for a missing node or one we may not read) turned into
 * `undefined`, so a contact without an avatar is not an error.
 */
import type { Element } from "@clawxmpp/core";
import type { PubsubHandle } from "@clawxmpp/pubsub";

const ABSENT = new Set([
  "item-not-found",
  "forbidden",
  "not-authorized",
  "service-unavailable",
  "feature-not-implemented",
  "not-allowed",
  "remote-server-not-found",
]);

/** Runs `fn`; a refusal meaning "absent" resolves undefined, anything else rejects. */
export async function absentAsUndefined<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    const condition =
      typeof error === "object" && error !== null && "condition" in error
        ? String(error.condition)
        : undefined;
    if (condition !== undefined && ABSENT.has(condition)) return undefined;
    throw error;
  }
}

/** The payload of the latest item of `node` in `service`'s PEP (our own when undefined). */
export async function latestPayload(
  ps: PubsubHandle,
  node: string,
  service: string | undefined,
): Promise<Element | undefined> {
  return absentAsUndefined(async () => {
    const items = await ps.items(node, service === undefined ? { max: 1 } : { service, max: 1 });
    return items[0]?.payload;
  });
}
