/**
 * The access decision for every inbound message comes from
 * `@clawxmpp/policy`, fed with the account's resolved settings and real bare
 * JIDs (never room nicknames). The channel's config allows `*` in lists, which
 * the policy package does not: `*` is translated here into the explicit
 * `open` policy it means, and an empty list still admits nobody.
 */
import { createPolicy, type PolicyConfigInput, type PolicyEngine } from "@clawxmpp/policy";
import type { ResolvedXmppAccount } from "./accounts.js";

/** The policy configuration equivalent to `account`. */
export function policyConfigFor(account: ResolvedXmppAccount): PolicyConfigInput {
  const strip = (list: readonly string[]) => list.filter((entry) => entry !== "*");
  const dmWildcard = account.allowFrom.includes("*") || account.dmAllowlist.includes("*");
  const groupWildcard = account.groupAllowFrom.includes("*");
  const groupSettings: NonNullable<PolicyConfigInput["groupSettings"]> = {};
  for (const [room, settings] of Object.entries(account.groupSettings)) {
    groupSettings[room] = {
      requireMention: settings.requireMention,
      ...(settings.tools === undefined
        ? {}
        : {
            tools: {
              ...(settings.tools.allow === undefined ? {} : { allow: settings.tools.allow }),
              deny: settings.tools.deny ?? [],
            },
          }),
    };
  }
  // The channel's default is "mention required" (fail closed); the policy package's is not.
  groupSettings["*"] ??= { requireMention: true };
  return {
    dmPolicy:
      dmWildcard && (account.dmPolicy === "allowlist" || account.dmPolicy === "pairing")
        ? "open"
        : account.dmPolicy,
    allowFrom: strip(account.allowFrom),
    dmAllowlist: strip(account.dmAllowlist),
    groupPolicy:
      groupWildcard && account.groupPolicy === "allowlist" ? "open" : account.groupPolicy,
    groupAllowFrom: strip(account.groupAllowFrom),
    groupSettings,
  };
}

/** A policy engine for `account`; `isPaired` answers from OpenClaw's pairing store. */
export function policyFor(
  account: ResolvedXmppAccount,
  isPaired: (bareJid: string) => boolean,
): PolicyEngine {
  return createPolicy(policyConfigFor(account), { isPaired });
}
