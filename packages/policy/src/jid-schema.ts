/**
 * Zod schemas for JIDs in configuration (RFC 7622 via core's `parseJid`).
 * Every list entry is normalised to its bare form once, at load time, so
 * decisions compare normalised strings only. A bad entry is a config error
 * naming its position (`policy options.allowFrom.2`), never a silent skip.
 */
import { tryParseJid } from "@clawxmpp/core";
import { z } from "zod";

/** A bare JID (no resource), normalised; `*` and full JIDs are rejected with a hint. */
export const bareJidSchema: z.ZodType<string, string> = z.string().transform((value, ctx) => {
  const bare = checkBareJid(value);
  if (typeof bare === "string") return bare;
  ctx.addIssue({ code: "custom", message: bare.problem });
  return z.NEVER;
});

/** A list of bare JIDs, normalised and de-duplicated. Empty admits nobody. */
export const jidListSchema: z.ZodType<readonly string[], string[]> = z
  .array(bareJidSchema)
  .transform((list) => Object.freeze([...new Set(list)]));

/** Normalises `value` to a bare JID or explains why it cannot be one. */
export function checkBareJid(value: string): string | { problem: string } {
  if (value.trim() === "*") {
    return {
      problem: 'wildcards are not supported; set dmPolicy/groupPolicy to "open" explicitly instead',
    };
  }
  const jid = tryParseJid(value);
  if (!jid) return { problem: `not a valid JID: ${JSON.stringify(value)}` };
  if (jid.resource !== undefined) {
    return { problem: `use a bare JID without "/resource": ${JSON.stringify(jid.bare)}` };
  }
  return jid.bare;
}
