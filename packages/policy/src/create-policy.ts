/**
 * The policy without a client: parse the configuration once, then decide
 * synchronously. Useful for channels that own their own connection (the
 * OpenClaw channel) and for tests.
 */
import { parseOptions } from "@clawxmpp/core";
import { decide, type IsPaired, roomSettings } from "./decide.js";
import type { Decision, PolicyEvent } from "./decision.js";
import {
  type PolicyConfig,
  type PolicyConfigInput,
  policyConfigSchema,
  type RoomSettings,
} from "./policy-options.js";

/** A configured policy. */
export interface PolicyEngine {
  /** The resolved configuration (JIDs normalised). */
  readonly config: PolicyConfig;
  /** Pure, synchronous decision for `event`. */
  decide(event: PolicyEvent): Decision;
  /** Settings that apply to `room` (its entry, else `*`, else defaults). */
  roomSettings(room: string): RoomSettings;
}

/** Collaborators of {@link createPolicy}. */
export interface PolicyEngineDeps {
  /** Answers whether a bare JID is paired. @default () => false */
  isPaired?: IsPaired;
}

/**
 * Creates a policy from configuration; throws a `ConfigError` naming each bad
 * field (`policy options.allowFrom.2: not a valid JID …`).
 */
export function createPolicy(
  options: PolicyConfigInput = {},
  deps: PolicyEngineDeps = {},
): PolicyEngine {
  const config = parseOptions(policyConfigSchema, options, "policy options");
  const isPaired = deps.isPaired ?? (() => false);
  return {
    config,
    decide: (event) => decide(config, event, isPaired),
    roomSettings: (room) => roomSettings(config, room),
  };
}
