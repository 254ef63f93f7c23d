/**
 * `@clawxmpp/openclaw-channel`: the OpenClaw XMPP channel plugin. The default
 * export is the plugin entry OpenClaw loads (the shape
 * `defineChannelPluginEntry` from `openclaw/plugin-sdk/channel-core` returns);
 * the named exports are the config schema and helpers.
 *
 * Module evaluation must stay side-effect free: OpenClaw evaluates the entry
 * in discovery and setup modes too. Connections open in `gateway.startAccount`.
 */
import { xmppChannelPlugin } from "./channel.js";
import { setPluginRuntime } from "./openclaw-sdk.js";
import type { PluginApi } from "./openclaw-types.js";
import { CHANNEL_ID } from "./plugin-manifest.js";

export * from "./accounts.js";
export {
  type ActionResult,
  handleXmppAction,
  type XmppActionContext,
  xmppActions,
} from "./actions.js";
export { type XmppChannelPlugin, xmppChannelPlugin } from "./channel.js";
export { policyConfigFor, policyFor } from "./channel-policy.js";
export * from "./config-schema.js";
export * from "./directory.js";
export { STOP_BUDGET_MS, type StartAccountDeps, startXmppAccount } from "./gateway.js";
export {
  createInboundHandler,
  type InboundDeps,
  type InboundHandler,
  type InboundOutcome,
} from "./inbound.js";
export { type LiveSession, liveClient, liveSession } from "./live-clients.js";
export {
  type ChannelOmemo,
  newDeviceNotice,
  OMEMO_STATE_FILE,
  type OmemoStatus,
} from "./omemo-channel.js";
export { loadOmemo, OMEMO_PACKAGE } from "./omemo-loader.js";
export type * from "./openclaw-sdk.js";
export type * from "./openclaw-types.js";
export {
  isRoomTarget,
  looksLikeXmppId,
  normaliseXmppTarget,
  type OutboundDeliveryResult,
  type OutboundMediaContext,
  type OutboundTextContext,
  sendXmppMedia,
  sendXmppText,
  xmppMessaging,
  xmppOutbound,
} from "./outbound.js";
export { PAIRING_APPROVED_MESSAGE, xmppPairing } from "./pairing.js";
export * from "./plugin-manifest.js";
export {
  applySetupInput,
  parseSetupInput,
  type SetupInput,
  type SetupParseResult,
  xmppSetupContract,
} from "./setup.js";
export {
  createStateStore,
  MAX_STATE_FILE_BYTES,
  resolveOpenclawStateDir,
  type StateStore,
} from "./state-store.js";

/** The plugin entry. */
const entry = {
  id: CHANNEL_ID,
  name: "XMPP",
  description: "XMPP channel for OpenClaw: direct messages, group chats and pairing.",
  get configSchema() {
    return xmppChannelPlugin.configSchema;
  },
  register(api: PluginApi): void {
    // Same gating as the SDK's defineChannelPluginEntry.
    if (api.registrationMode === "cli-metadata" || api.registrationMode === "tool-discovery") {
      return;
    }
    // The pairing store lives on the plugin runtime (`runtime.channel.pairing`).
    if (api.runtime !== undefined) setPluginRuntime(api.runtime);
    api.registerChannel({ plugin: xmppChannelPlugin });
  },
  channelPlugin: xmppChannelPlugin,
};

export default entry;
