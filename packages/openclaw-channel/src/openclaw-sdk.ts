/**
 * The parts of OpenClaw's plugin SDK the inbound path calls: the current
 * inbound API (`resolveChannelInboundRouteEnvelope`, `toInboundMediaFacts`),
 * the ingress resolver (`resolveStableChannelMessageIngress`) and the pairing
 * controller (`createChannelPairingController`).
 *
 * `openclaw` is an optional peer, so these are imported lazily from the host
 * package inside the gateway (the managed install links `node_modules/openclaw`
 * to the host). Unit tests inject a fake {@link OpenclawSdk} instead. Shapes are
 * the subset of openclaw 2026.9.6's `.d.ts` this package relies on.
 */

/** A resolved agent route. */
export interface InboundRoute {
  agentId: string;
  sessionKey: string;
  accountId?: string;
}

/** What the ingress resolver returns (the part we read; passed on unchanged). */
export interface ResolvedIngress {
  ingress: { admission: string; decision?: string; reasonCode?: string };
  senderAccess: { allowed: boolean; decision: string; reasonCode: string };
  [key: string]: unknown;
}

/** The final route an ingress result may enter (`ChannelIngressContextBinding`). */
export interface IngressContextBinding {
  agentId: string;
  sessionKey: string;
  messageId?: string;
  inboundEventKind: string;
}

/** `ChannelPairingController` (the part we use). */
export interface PairingController {
  readAllowFromStore(): Promise<string[]>;
  issueChallenge(params: {
    senderId: string;
    senderIdLine: string;
    meta?: Record<string, string | undefined>;
    sendPairingReply: (text: string) => Promise<void>;
    onReplyError?: (error: unknown) => void;
  }): Promise<{ created: boolean; code?: string }>;
}

/** A reply payload handed to `deliver` (`OutboundReplyPayload`, the part we use). */
export interface ReplyPayload {
  text?: string;
  mediaUrl?: string;
  mediaUrls?: string[];
  replyToId?: string;
  [key: string]: unknown;
}

/** One attachment as `toInboundMediaFacts` takes it (`ChannelInboundMediaInput`). */
export interface InboundMediaInput {
  path?: string;
  url?: string;
  contentType?: string;
  fileName?: string;
  messageId?: string;
}

/** What `loadOutboundMediaFromUrl` resolves (`WebMediaResult`, the part we use). */
export interface LoadedMedia {
  buffer: Buffer;
  contentType?: string;
  fileName?: string;
}

/** A file saved into OpenClaw's media store (`SavedMedia`). */
export interface SavedMedia {
  id: string;
  path: string;
  size: number;
  contentType?: string;
}

/** The SDK functions the channel calls. */
export interface OpenclawSdk {
  /** Normalises attachments into the ordered facts of an inbound context's `media`. */
  toInboundMediaFacts?(media: readonly InboundMediaInput[]): unknown[];
  /** Saves inbound bytes into OpenClaw's media store (`<state>/media/<subdir>`). */
  saveMediaBuffer?(
    buffer: Buffer,
    contentType?: string,
    subdir?: string,
    maxBytes?: number,
    originalFilename?: string,
  ): Promise<SavedMedia>;
  /** Reads reply media under OpenClaw's file policy (agent-scoped local roots, SSRF guard). */
  loadOutboundMediaFromUrl?(
    mediaUrl: string,
    options: { maxBytes?: number; mediaLocalRoots?: readonly string[]; optimizeImages?: boolean },
  ): Promise<LoadedMedia>;
  /** The local directories an agent's media may come from. */
  getAgentScopedMediaLocalRoots?(cfg: unknown, agentId?: string): readonly string[];
  /** Response prefix and model-selection hooks of a reply (`createChannelReplyPipeline`). */
  createChannelReplyPipeline?(params: {
    cfg: unknown;
    agentId: string;
    channel: string;
    accountId: string;
  }): Record<string, unknown>;
  resolveChannelInboundRouteEnvelope(params: {
    cfg: unknown;
    channel: string;
    accountId: string;
    peer: { kind: "direct" | "group"; id: string };
  }): { route: InboundRoute; buildEnvelope(input: Record<string, unknown>): string };
  resolveStableChannelMessageIngress(params: Record<string, unknown>): Promise<ResolvedIngress>;
  createChannelPairingController(params: {
    core: unknown;
    channel: string;
    accountId: string;
  }): PairingController;
}

/** `ctx.channelRuntime.inbound` (the routed-turn API used for rooms). */
export interface InboundRuntime {
  buildContext(params: Record<string, unknown>): unknown;
  dispatch(params: Record<string, unknown>): Promise<unknown>;
}

/** Imports `specifier` from the host's `openclaw` package; the name is not static on purpose. */
const importHost = (specifier: string): Promise<Record<string, unknown>> => import(specifier);

let loading: Promise<OpenclawSdk | undefined> | undefined;

/**
 * Loads the SDK from the host `openclaw` package; resolves `undefined` when it
 * is not installed (the channel then cannot dispatch, and says so).
 */
export function loadOpenclawSdk(): Promise<OpenclawSdk | undefined> {
  loading ??= (async () => {
    try {
      const [inbound, ingress, pairing] = await Promise.all([
        importHost("openclaw/plugin-sdk/channel-inbound"),
        importHost("openclaw/plugin-sdk/channel-ingress-runtime"),
        importHost("openclaw/plugin-sdk/channel-pairing"),
      ]);
      // Media and reply helpers are optional: without them attachments still
      // reach the agent as links, and replies skip the response prefix.
      const [outboundMedia, localRoots, mediaStore, replyPipeline] = await Promise.all(
        [
          "openclaw/plugin-sdk/outbound-media",
          "openclaw/plugin-sdk/media-local-roots",
          "openclaw/plugin-sdk/media-store",
          "openclaw/plugin-sdk/channel-reply-pipeline",
        ].map((specifier) => importHost(specifier).catch(() => ({}) as Record<string, unknown>)),
      );
      return {
        toInboundMediaFacts: inbound.toInboundMediaFacts,
        saveMediaBuffer: mediaStore?.saveMediaBuffer,
        loadOutboundMediaFromUrl: outboundMedia?.loadOutboundMediaFromUrl,
        getAgentScopedMediaLocalRoots: localRoots?.getAgentScopedMediaLocalRoots,
        createChannelReplyPipeline: replyPipeline?.createChannelReplyPipeline,
        resolveChannelInboundRouteEnvelope: inbound.resolveChannelInboundRouteEnvelope,
        resolveStableChannelMessageIngress: ingress.resolveStableChannelMessageIngress,
        createChannelPairingController: pairing.createChannelPairingController,
      } as OpenclawSdk;
    } catch {
      loading = undefined;
      return undefined;
    }
  })();
  return loading;
}

let pluginRuntime: unknown;

/** Keeps the `PluginRuntime` OpenClaw passes to `register(api)` (the pairing store lives there). */
export function setPluginRuntime(runtime: unknown): void {
  pluginRuntime = runtime;
}

/** The `PluginRuntime` from registration, if any. */
export function getPluginRuntime(): unknown {
  return pluginRuntime;
}
