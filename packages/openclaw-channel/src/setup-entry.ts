/**
 * The light setup entry (`openclaw.setupEntry`): channel metadata and the
 * config adapter for setup, status and SecretRef scans, loaded when the channel
 * is disabled or unconfigured. Same shape as the SDK's `defineSetupPluginEntry`.
 */
import { xmppChannelPlugin } from "./channel.js";

export default { plugin: xmppChannelPlugin };
