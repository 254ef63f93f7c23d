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
import {
  ClawXmppError,
  type Client,
  type ClientOptions,
  createClient,
  type Logger,
} from "@clawxmpp/core";
import type { ResolvedXmppAccount } from "./accounts.js";
import { registerLiveClient } from "./live-clients.js";
import type {
  ChannelAccountSnapshot,
  ChannelGatewayContext,
  ChannelLogSink,
} from "./openclaw-types.js";

/** OpenClaw aborts an account and waits 5 s; stop well inside that. */
export const STOP_BUDGET_MS = 4_000;

/** Seams for tests: the client factory and extra client options. */
export interface StartAccountDeps {
  createClient?: (options: ClientOptions) => Client;
  /** Merged into the client options (tests pass a fake transport, TLS settings…). */
  clientOptions?: Partial<ClientOptions>;
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
  let client: Client;
  try {
    client = (deps.createClient ?? createClient)({
      jid: account.jid!,
      password: account.password as string,
      resource: account.resource,
      port: account.port,
      ...(account.server === undefined ? {} : { server: account.server }),
      software: { name: "clawxmpp-openclaw", version: "0.1.0" },
      logger: loggerFrom(ctx.log),
      ...deps.clientOptions,
    });
  } catch (error) {
    // Invalid options (ConfigError): terminal, the config must change.
    const message = errorMessage(error);
    ctx.log?.error(`account ${ctx.accountId}: ${message}`);
    status(blocked(message));
    await aborted;
    status(stopped());
    return;
  }
  const unregister = registerLiveClient(ctx.accountId, client);
  client.on("online", ({ jid, resumed }) => {
    ctx.log?.info(`account ${ctx.accountId} online as ${jid}${resumed ? " (resumed)" : ""}`);
    status({
      running: true,
      connected: true,
      lifecycle: "ready",
      lastConnectedAt: Date.now(),
      reconnectAttempts: client.stats.reconnectAttempts,
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
      reconnectAttempts: client.stats.reconnectAttempts,
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
  return undefined;
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
