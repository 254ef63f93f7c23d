/**
 * `gateway.startAccount`: one long-lived XMPP connection per enabled account.
 *
 * OpenClaw treats the returned promise as the account's lifetime: resolving or
 * rejecting makes the supervisor restart the account (5 s, doubling, up to 10
 * times). So the promise stays pending until the abort signal, also after a
 * terminal failure such as a wrong password, which is reported as `blocked`
 * with `terminalDisconnect` instead of causing a restart storm (prior-art L1).
 * Reconnects after a lost connection are the core client's job.
 */
import { join } from "node:path";
import {
  ClawXmppError,
  type Client,
  type ClientOptions,
  createClient,
  fetchRoster,
  type Logger,
} from "@clawxmpp/core";
import { markers as markersPlugin } from "@clawxmpp/markers";
import { muc } from "@clawxmpp/muc";
import { upload } from "@clawxmpp/upload";
import { watchAccount } from "./account-watch.js";
import type { ResolvedXmppAccount } from "./accounts.js";
import { archiveCursor } from "./archive-cursor.js";
import { publishAvatarOnStart } from "./avatar.js";
import {
  type ChannelCommands,
  loadNativeCommandSpecs,
  startChannelCommands,
} from "./channel-commands.js";
import { policyFor } from "./channel-policy.js";
import { createInboundHandler } from "./inbound.js";
import { inviteFollower } from "./invites.js";
import { registerLiveClient } from "./live-clients.js";
import { MessageIdMap } from "./message-ids.js";
import { createMucTrust } from "./muc-trust.js";
import { attachOmemo, prepareOmemo } from "./omemo-channel.js";
import type { Importer, OmemoModule } from "./omemo-loader.js";
import {
  getPluginRuntime,
  type InboundRuntime,
  loadOpenclawSdk,
  type OpenclawSdk,
} from "./openclaw-sdk.js";
import type {
  ChannelAccountSnapshot,
  ChannelGatewayContext,
  ChannelLogSink,
} from "./openclaw-types.js";
import { fillRoomHistoryFromArchive } from "./room-archive-fill.js";
import { RoomHistory } from "./room-history.js";
import { trackOwnRoomStanzaIds } from "./room-own-ids.js";
import { autoJoinRooms, roomTurnSettings } from "./room-settings.js";
import { createStateStore, resolveOpenclawStateDir } from "./state-store.js";
import { loadCa } from "./tls-ca.js";
import { accountWorkStatus } from "./work-status.js";

/** OpenClaw aborts an account and waits 5 s; stop well inside that. */
export const STOP_BUDGET_MS = 4_000;

/** Seams for tests: the client factory and extra client options. */
export interface StartAccountDeps {
  createClient?: (options: ClientOptions) => Client;
  /** Merged into the client options (tests pass a fake transport, TLS settings…). */
  clientOptions?: Partial<ClientOptions>;
  /** The OpenClaw SDK; default: imported from the host `openclaw` package. `null`: none. */
  sdk?: OpenclawSdk | null;
  /** OpenClaw's state directory; default `$OPENCLAW_STATE_DIR` or `~/.openclaw`. */
  stateDir?: string;
  /** Imports `@clawxmpp/omemo` when OMEMO is on; default: a dynamic `import()`. */
  importOmemo?: Importer;
}

/**
 * Runs one account until `ctx.abortSignal` fires. Never rejects: failures are
 * reported through `ctx.setStatus`.
 */
export async function startXmppAccount(
  ctx: ChannelGatewayContext<ResolvedXmppAccount>,
  deps: StartAccountDeps = {},
): Promise<void> {
  const { account, abortSignal } = ctx;
  if (abortSignal.aborted) return;
  const status = (patch: Partial<ChannelAccountSnapshot>) =>
    ctx.setStatus({ ...ctx.getStatus(), accountId: ctx.accountId, ...patch });
  const aborted = new Promise<void>((resolve) =>
    abortSignal.addEventListener("abort", () => resolve(), { once: true }),
  );

  const problem = configurationProblem(account);
  if (problem !== undefined) {
    ctx.log?.error(`account ${ctx.accountId}: ${problem}`);
    status(blocked(problem));
    await aborted;
    status(stopped());
    return;
  }

  status({
    running: true,
    connected: false,
    lifecycle: "starting",
    lastStartAt: Date.now(),
    lastError: null,
    terminalDisconnect: false,
  });
  const store = createStateStore({
    stateDir: deps.stateDir ?? resolveOpenclawStateDir(),
    accountId: ctx.accountId,
  });
  let client: Client;
  let omemoModule: OmemoModule | undefined;
  try {
    // Loaded only when enabled; a missing @clawxmpp/omemo is terminal like a bad config.
    omemoModule = await prepareOmemo(account, store.dir, deps.importOmemo);
    const ca = account.tls.ca === undefined ? undefined : loadCa(account.tls.ca);
    client = (deps.createClient ?? createClient)({
      jid: account.jid!,
      password: account.password as string,
      resource: account.resource,
      port: account.port,
      ...(account.server === undefined ? {} : { server: account.server }),
      tls: { mode: account.tls.mode, ...(ca === undefined ? {} : { ca }) },
      software: { name: "clawxmpp-openclaw", version: "0.1.0" },
      logger: loggerFrom(ctx.log),
      // XEP-0313: messages received while the gateway was down are fetched on the next session.
      archive: { catchUp: true, cursor: archiveCursor(store) },
      ...deps.clientOptions,
    });
  } catch (error) {
    // Invalid options (ConfigError) or an unreadable CA: terminal, the config must change.
    const message = errorMessage(error);
    ctx.log?.error(`account ${ctx.accountId}: ${message}`);
    status(blocked(message));
    await aborted;
    status(stopped());
    return;
  }
  const logger = loggerFrom(ctx.log);
  const rooms = client.use(muc, {
    nickname: account.nickname ?? client.account.local ?? "openclaw",
    // Each room's join history fills the context buffer for its first mention.
    rooms: autoJoinRooms(account),
  });
  // Typing goes to rooms and to contacts that never sent a chat state too.
  const markers = client.use(markersPlugin, { chatStates: { sendTo: "always" } });
  // No local roots: files reach the upload only as bytes read by OpenClaw's own media loader.
  const files = client.use(upload, {
    roots: [],
    downloadDir: join(store.dir, "media"),
    maxDownloadBytes: account.mediaMaxBytes,
    allowPrivateAddresses: account.allowPrivateNetwork,
    allowInsecureHttp: account.allowPrivateNetwork,
  });
  const e2e =
    omemoModule &&
    attachOmemo(omemoModule, {
      client,
      account,
      stateDir: store.dir,
      logger: logger.child(`${ctx.accountId}: omemo`),
      onIdentity: (omemo) => status({ omemo }),
    });
  if (account.avatar !== undefined) {
    publishAvatarOnStart(client, account.avatar, store, logger.child(`${ctx.accountId}: avatar`));
  }
  const trust = createMucTrust(account);
  const ids = new MessageIdMap();
  trackOwnRoomStanzaIds(client, ids);
  const follow = inviteFollower(
    policyFor(account, () => false),
    rooms,
    (line) => ctx.log?.info(`account ${ctx.accountId}: ${line}`),
    trust,
  );
  rooms.on("invite", (invite) => void follow(invite));
  rooms.on("joinFailed", (event) =>
    ctx.log?.warn(
      `account ${ctx.accountId}: joining ${event.room} failed: ${errorMessage(event.error)}`,
    ),
  );
  const watch = watchAccount({
    client,
    account,
    upload: files,
    status,
    log: (level, line) => ctx.log?.[level](`account ${ctx.accountId}: ${line}`),
    omemoStatus: () => e2e?.status(),
  });
  const unregister = registerLiveClient(ctx.accountId, {
    serverFacts: () => watch.facts(),
    client,
    markers,
    rooms,
    upload: files,
    ids,
    roster: async () => (await fetchRoster(client.iq)).map((item) => item.jid),
    omemo: e2e,
  });
  const sdk = deps.sdk === null ? undefined : (deps.sdk ?? (await loadOpenclawSdk()));
  if (sdk === undefined) {
    ctx.log?.warn(
      `account ${ctx.accountId}: the openclaw plugin SDK is not available; inbound messages are not dispatched`,
    );
  } else {
    const channelRuntime = ctx.channelRuntime as
      | { inbound?: InboundRuntime; pairing?: unknown }
      | undefined;
    const core =
      channelRuntime?.pairing !== undefined ? { channel: channelRuntime } : getPluginRuntime();
    let commands: ChannelCommands | undefined;
    const roomHistory = new RoomHistory();
    // A room with an archive gives the first mention after a join its context (XEP-0313).
    rooms.on("joined", ({ room }) => {
      const limit = roomTurnSettings(account, room).historyLimit;
      void fillRoomHistoryFromArchive(rooms, roomHistory, room, limit, (line) =>
        ctx.log?.debug?.(`account ${ctx.accountId}: ${line}`),
      );
    });
    const inbound = createInboundHandler({
      roomHistory,
      answerWaiting: (conversation) => commands?.questions.get(conversation) !== undefined,
      cfg: ctx.cfg,
      accountId: ctx.accountId,
      account,
      client,
      sdk,
      pairing: sdk.createChannelPairingController({
        core,
        channel: "xmpp",
        accountId: ctx.accountId,
      }),
      inboundRuntime: channelRuntime?.inbound,
      markers,
      files,
      trust,
      ids,
      logger: logger.child("inbound"),
      work: accountWorkStatus(client, markers, account.work, (what, error) =>
        ctx.log?.debug?.(`account ${ctx.accountId}: ${what} failed: ${errorMessage(error)}`),
      ),
      onActivity: (kind) =>
        status(kind === "inbound" ? { lastInboundAt: Date.now() } : { lastOutboundAt: Date.now() }),
    });
    // Registered before the commands' own listener, which marks a question answered: the
    // inbound handler must still see it waiting to let the answer past the asking turn.
    client.on("message", (message) => {
      void inbound.handle(message).then((outcome) => {
        if (outcome.kind !== "dispatched") {
          ctx.log?.debug?.(
            `account ${ctx.accountId}: inbound ${outcome.kind}${"reason" in outcome ? `: ${outcome.reason}` : ""}`,
          );
        }
      });
    });
    commands = startChannelCommands({
      client,
      account,
      markers,
      inbound,
      logger: logger.child("commands"),
      specs: () => loadNativeCommandSpecs(ctx.cfg),
    });
  }
  let servicesFound = false;
  client.on("online", ({ jid, resumed }) => {
    ctx.log?.info(`account ${ctx.accountId} online as ${jid}${resumed ? " (resumed)" : ""}`);
    if (!servicesFound) {
      // Rooms on our own server's MUC services are trusted about real JIDs (muc-trust.ts).
      void rooms.services().then(
        (found) => {
          servicesFound = true;
          trust.addDiscovered(found);
          ctx.log?.debug?.(
            `account ${ctx.accountId}: trusted MUC services: ${trust.services().join(", ") || "none"}`,
          );
        },
        (error: unknown) =>
          ctx.log?.debug?.(
            `account ${ctx.accountId}: MUC service discovery failed: ${errorMessage(error)}`,
          ),
      );
    }
    status({
      running: true,
      connected: true,
      lifecycle: "ready",
      lastConnectedAt: Date.now(),
      ...statsPatch(client),
      lastError: null,
    });
  });
  client.on("offline", ({ error, willReconnect }) => {
    if (abortSignal.aborted) return;
    const terminal = ClawXmppError.isInstance(error) && error.terminal;
    if (terminal) {
      ctx.log?.error(`account ${ctx.accountId}: ${errorMessage(error)} (not retrying)`);
      status(blocked(errorMessage(error)));
      return;
    }
    ctx.log?.warn(
      `account ${ctx.accountId} offline${error ? `: ${errorMessage(error)}` : ""}` +
        (willReconnect ? "; reconnecting" : ""),
    );
    status({
      connected: false,
      lifecycle: willReconnect ? "recovering" : "stopped",
      ...statsPatch(client),
      lastError: error ? errorMessage(error) : null,
    });
  });

  // Keeps retrying transient failures; rejects only for terminal ones or on stop.
  void client.start({ retryInitialConnect: true }).then(
    () => undefined,
    (error: unknown) => {
      if (abortSignal.aborted) return;
      const message = errorMessage(error);
      ctx.log?.error(`account ${ctx.accountId}: ${message} (not retrying)`);
      status(blocked(message));
    },
  );

  await aborted;
  watch.stop();
  await Promise.race([
    client.stop().catch(() => {}),
    new Promise((resolve) => setTimeout(resolve, STOP_BUDGET_MS).unref()),
  ]);
  unregister();
  status(stopped());
}

/** Why an account cannot start, or undefined when it can. */
function configurationProblem(account: ResolvedXmppAccount): string | undefined {
  if (account.jid === undefined) return "channels.xmpp: jid is not set";
  if (account.password === undefined) return "channels.xmpp: password is not set";
  if (typeof account.password !== "string") {
    return "channels.xmpp: password secret reference was not resolved by the gateway";
  }
  try {
    // The access policy is built again per use; a configuration it rejects is terminal here.
    policyFor(account, () => false);
  } catch (error) {
    return `channels.xmpp: ${errorMessage(error)}`;
  }
  return undefined;
}

/** Connection counters from the core client for `channels status`. */
export function statsPatch(client: Client): Partial<ChannelAccountSnapshot> {
  const stats = client.stats;
  return {
    reconnectAttempts: stats.reconnectAttempts,
    connects: stats.connects,
    resumes: stats.resumes,
    mechanism: stats.mechanism ?? null,
    queued: stats.queued,
  };
}

function blocked(lastError: string): Partial<ChannelAccountSnapshot> {
  return {
    running: false,
    connected: false,
    lifecycle: "blocked",
    terminalDisconnect: true,
    lastError,
  };
}

function stopped(): Partial<ChannelAccountSnapshot> {
  return { running: false, connected: false, lifecycle: "stopped", lastStopAt: Date.now() };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Adapts OpenClaw's log sink to the core logger; debug lines go to `debug` only. */
function loggerFrom(log: ChannelLogSink | undefined, prefix = ""): Logger {
  const line = (message: string, data?: Record<string, unknown>) =>
    `${prefix}${message}${data === undefined ? "" : ` ${safeJson(data)}`}`;
  return {
    debug: (message, data) => log?.debug?.(line(message, data)),
    info: (message, data) => log?.info(line(message, data)),
    warn: (message, data) => log?.warn(line(message, data)),
    error: (message, data) => log?.error(line(message, data)),
    child: (name) => loggerFrom(log, `${prefix}[${name}] `),
  };
}

function safeJson(data: Record<string, unknown>): string {
  try {
    return JSON.stringify(data, (_key, value: unknown) =>
      value instanceof Error ? value.message : value,
    );
  } catch {
    return "[unserialisable]";
  }
}
