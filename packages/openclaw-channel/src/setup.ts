/**
 * `openclaw channels add --channel xmpp --jid … --password …`: the channel-owned
 * setup contract (the object `defineChannelSetupContract` from
 * `openclaw/plugin-sdk/channel-setup` builds), over the same {@link SETUP_FIELDS}
 * that package.json publishes for `--help`. The written section is validated by
 * the channel schema, so a bad `--jid` fails before anything is saved.
 */
import { DEFAULT_ACCOUNT_ID, parseXmppChannelConfig, xmppSection } from "./accounts.js";
import type { OpenClawConfig } from "./openclaw-types.js";
import { SETUP_FIELDS, type SetupField } from "./plugin-manifest.js";

/** Parsed setup input: field key → value, plus the shared `name`. */
export type SetupInput = Record<string, string | number | boolean | string[]>;

/** Result of {@link parseSetupInput}. */
export type SetupParseResult = { ok: true; value: SetupInput } | { ok: false; error: string };

const FIELDS = new Map<string, SetupField>(SETUP_FIELDS.map((field) => [field.key, field]));

/** Checks raw CLI/wizard input against the setup fields (same rules as the SDK). */
export function parseSetupInput(raw: unknown): SetupParseResult {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, error: "Channel setup input must be an object." };
  }
  const value: SetupInput = {};
  for (const [key, input] of Object.entries(raw as Record<string, unknown>)) {
    if (input === undefined) continue;
    if (key === "name") {
      if (typeof input !== "string") return { ok: false, error: "name must be a string." };
      value.name = input;
      continue;
    }
    const field = FIELDS.get(key);
    if (field === undefined) return { ok: false, error: `Unsupported setup option: ${key}` };
    switch (field.kind) {
      case "integer": {
        const number = typeof input === "string" && /^\d+$/u.test(input) ? Number(input) : input;
        if (typeof number !== "number" || !Number.isSafeInteger(number) || number < 0) {
          return { ok: false, error: `${key} must be a non-negative integer.` };
        }
        value[key] = number;
        break;
      }
      case "string-list": {
        const list =
          typeof input === "string"
            ? input
                .split(/[\n,]/u)
                .map((entry) => entry.trim())
                .filter(Boolean)
            : input;
        if (!Array.isArray(list) || !list.every((entry) => typeof entry === "string")) {
          return { ok: false, error: `${key} must be a comma-separated list of strings.` };
        }
        value[key] = list as string[];
        break;
      }
      case "boolean":
        if (typeof input !== "boolean")
          return { ok: false, error: `${key} must be true or false.` };
        value[key] = input;
        break;
      default:
        if (typeof input !== "string") return { ok: false, error: `${key} must be a string.` };
        value[key] = input;
    }
  }
  return { ok: true, value };
}

/**
 * Writes the input into `channels.xmpp` (the `default` account) or
 * `channels.xmpp.accounts.<id>`, keeping every other key. Throws on invalid
 * input or a resulting section the schema rejects (naming the field).
 */
export function applySetupInput(
  cfg: OpenClawConfig,
  accountId: string,
  raw: unknown,
): OpenClawConfig {
  const parsed = parseSetupInput(raw);
  if (!parsed.ok) throw new Error(parsed.error);
  const current = xmppSection(cfg);
  const section: Record<string, unknown> =
    typeof current === "object" && current !== null
      ? { ...(current as Record<string, unknown>) }
      : {};
  if (accountId === DEFAULT_ACCOUNT_ID) Object.assign(section, parsed.value);
  else {
    const accounts = { ...((section.accounts as Record<string, unknown> | undefined) ?? {}) };
    accounts[accountId] = {
      ...((accounts[accountId] as object | undefined) ?? {}),
      ...parsed.value,
    };
    section.accounts = accounts;
  }
  parseXmppChannelConfig(section);
  const channels = (cfg.channels as Record<string, unknown> | undefined) ?? {};
  return { ...cfg, channels: { ...channels, xmpp: section } };
}

/** The `setupContract` of the channel plugin. */
export const xmppSetupContract = {
  kind: "channel-owned" as const,
  metadata: { fields: SETUP_FIELDS.map((field) => ({ ...field })) },
  parseInput: parseSetupInput,
  applyAccountConfig: ({
    cfg,
    accountId,
    input,
  }: {
    cfg: OpenClawConfig;
    accountId: string;
    input: unknown;
  }): OpenClawConfig => applySetupInput(cfg, accountId, input),
};
