export { createPolicy, type PolicyEngine, type PolicyEngineDeps } from "./create-policy.js";
export { decide, type IsPaired, roomSettings } from "./decide.js";
export type {
  Decision,
  DmEvent,
  GroupEvent,
  InviteEvent,
  PolicyAction,
  PolicyEvent,
  SenderKind,
  SubscriptionEvent,
  ToolEvent,
} from "./decision.js";
export { bareJidSchema, jidListSchema } from "./jid-schema.js";
export { type JsonFileStoreOptions, jsonFileStore } from "./json-file-store.js";
export {
  createPairing,
  type Pairing,
  type PairingDeps,
  type PairingList,
  type PairingOptionsInput,
  type PairingRequestResult,
  pairingOptionsSchema,
} from "./pairing.js";
export { type PairingCliIo, runPairingCli } from "./pairing-cli.js";
export {
  generatePairingCode,
  normalisePairingCode,
  PAIRING_ALPHABET,
  PAIRING_CODE_LENGTH,
  type RandomInt,
} from "./pairing-code.js";
export {
  DEFAULT_GREETING,
  DEFAULT_PAIRING_REPLY,
  DEFAULT_RATE_LIMIT_REPLY,
  formatPairingReply,
} from "./pairing-message.js";
export {
  type ApprovedPairing,
  emptyPairingState,
  type PairingState,
  type PendingPairing,
  pairingStateSchema,
} from "./pairing-state.js";
export { memoryStore, type PairingStore } from "./pairing-store.js";
export { PolicyError, type PolicyErrorCode } from "./policy-error.js";
export {
  type DmPolicy,
  dmPolicySchema,
  type GroupPolicy,
  groupPolicySchema,
  type PolicyConfig,
  type PolicyConfigInput,
  type PolicyOptions,
  type PolicyOptionsInput,
  policyConfigSchema,
  policyOptionsSchema,
  type RoomSettings,
  roomSettingsSchema,
} from "./policy-options.js";
export {
  type DmAdmission,
  type PolicyEvents,
  type PolicyHandle,
  type PolicyPairing,
  policy,
} from "./policy-plugin.js";
export {
  createRateLimiter,
  type RateLimiter,
  type RateLimitOptionsInput,
  type RateVerdict,
  rateLimitOptionsSchema,
  type TimeSource,
} from "./rate-limit.js";
export { limitDecision } from "./sender-limit.js";
