/**
 * The channel's secret contract, loaded by the OpenClaw gateway (not by the
 * plugin entry) from `dist/secret-contract-api.js`: it names the config paths
 * that may hold a SecretRef — `channels.xmpp.password` and
 * `channels.xmpp.accounts.<id>.password` — so the gateway resolves them
 * (env, file, exec or store providers) before `startAccount` sees the config.
 *
 * The collector delegates to the SDK's `createSimpleChannelSecretContract`,
 * required lazily from the host `openclaw` package on first use: importing
 * this module does no work.
 */
import { createRequire } from "node:module";
import { CHANNEL_ID } from "./plugin-manifest.js";

/** Fields that may hold a secret, at channel level and per account. */
const SECRET_FIELDS = ["password"] as const;

/** One entry of OpenClaw's secret target registry (`SecretTargetRegistryEntry`). */
export interface SecretTargetEntry {
  id: string;
  targetType: string;
  configFile: "openclaw.json";
  pathPattern: string;
  secretShape: "secret_input";
  expectedResolvedValue: "string";
  includeInPlan: boolean;
  includeInConfigure: boolean;
  includeInAudit: boolean;
}

function entry(pathPattern: string): SecretTargetEntry {
  return {
    id: pathPattern,
    targetType: pathPattern,
    configFile: "openclaw.json",
    pathPattern,
    secretShape: "secret_input",
    expectedResolvedValue: "string",
    includeInPlan: true,
    includeInConfigure: true,
    includeInAudit: true,
  };
}

/** Where SecretRefs may appear in `channels.xmpp` (used by `openclaw secrets` plan/audit). */
export const secretTargetRegistryEntries: readonly SecretTargetEntry[] = SECRET_FIELDS.flatMap(
  (field) => [
    entry(`channels.${CHANNEL_ID}.accounts.*.${field}`),
    entry(`channels.${CHANNEL_ID}.${field}`),
  ],
);

type Collector = (params: {
  config: { channels?: Record<string, unknown> };
  defaults?: unknown;
  context: unknown;
}) => void;

let collector: Collector | undefined;

/**
 * Registers every SecretRef of `channels.xmpp` with the gateway's resolver,
 * which writes the resolved strings back into the runtime config.
 */
export function collectRuntimeConfigAssignments(params: Parameters<Collector>[0]): void {
  collector ??= loadCollector();
  collector(params);
}

function loadCollector(): Collector {
  const require = createRequire(import.meta.url);
  const sdk = require("openclaw/plugin-sdk/channel-secret-basic-runtime") as {
    createSimpleChannelSecretContract(params: {
      channelKey: string;
      label: string;
      accountFields: readonly string[];
      channelFields: readonly string[];
      mode: "channel-surface";
    }): { collectRuntimeConfigAssignments: Collector };
  };
  return sdk.createSimpleChannelSecretContract({
    channelKey: CHANNEL_ID,
    label: "XMPP",
    accountFields: SECRET_FIELDS,
    channelFields: SECRET_FIELDS,
    // The channel-level password belongs to the channel's own (default) account.
    mode: "channel-surface",
  }).collectRuntimeConfigAssignments;
}
