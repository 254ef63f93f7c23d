/**
 * The subset of the OpenClaw 2026.9.6 channel-plugin SDK types this package
 * uses, declared structurally so the package builds and runs without
 * `openclaw` installed (it is an optional peer). Shapes follow
 * `openclaw/dist/*.d.ts` (`src/channels/plugins/types.*.ts`).
 */

/** Any OpenClaw config object; channels read only their own section. */
export type OpenClawConfig = Record<string, unknown>;

/** `ChannelAccountSnapshot`: one account's row in `openclaw channels status`. */
export interface ChannelAccountSnapshot {
  accountId: string;
  name?: string;
  enabled?: boolean;
  configured?: boolean;
  running?: boolean;
  connected?: boolean;
  reconnectAttempts?: number;
  lastConnectedAt?: number | null;
  lastError?: string | null;
  lifecycle?: "starting" | "ready" | "recovering" | "blocked" | "stopped";
  terminalDisconnect?: boolean;
  lastStartAt?: number | null;
  lastStopAt?: number | null;
  lastInboundAt?: number | null;
  lastOutboundAt?: number | null;
  dmPolicy?: string;
  [key: string]: unknown;
}

/** `ChannelLogSink`: lines appear as `[xmpp] …` in the gateway log. */
export interface ChannelLogSink {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

/** `ChannelGatewayContext`: what `gateway.startAccount` receives. */
export interface ChannelGatewayContext<Account> {
  cfg: OpenClawConfig;
  accountId: string;
  account: Account;
  runtime: unknown;
  abortSignal: AbortSignal;
  log?: ChannelLogSink;
  getStatus(): ChannelAccountSnapshot;
  setStatus(next: ChannelAccountSnapshot): void;
  channelRuntime?: unknown;
}

/** `ChannelConfigSchema`: JSON Schema for the cold path plus a runtime parser. */
export interface ChannelConfigSchema {
  schema: Record<string, unknown>;
  uiHints?: Record<string, Record<string, unknown>>;
  runtime?: {
    safeParse(
      value: unknown,
    ):
      | { success: true; data: unknown }
      | { success: false; issues: { path: (string | number)[]; message: string }[] };
  };
}

/** `OpenClawPluginApi` members the entry uses. */
export interface PluginApi {
  registrationMode: string;
  registerChannel(registration: { plugin: unknown }): void;
  runtime?: unknown;
  logger?: { info(message: string): void; warn(message: string): void };
}
