/**
 * The setup every channel end-to-end file shares: a real Prosody, the mock
 * model, an OpenClaw home with the packed channel installed (see
 * `plugin-install.ts`) and an agent workspace, then one gateway whose
 * `channels.xmpp` is the bot's account on that Prosody. Setting up and
 * starting the gateway are two steps because most files first start their own
 * clients (e.g. alice creates the room the bot joins from its config).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, xml } from "@clawxmpp/core";
import { type ProsodyInstance, type ProsodyOptions, startProsody } from "../src/index.js";
import type { Evidence } from "./evidence.js";
import {
  createOpenclawHome,
  deepMerge,
  type Gateway,
  type OpenclawHome,
  startGateway,
} from "./gateway.js";
import { MOCK_MODEL_REF, type MockModel, startMockModel } from "./mock-model.js";
import { type InstalledChannel, installChannelPlugin } from "./plugin-install.js";
import { ensureToolchain } from "./toolchain.js";

/** The bot's resource: the channel's default, written out so tests can ping the bot's session. */
export const BOT_RESOURCE = "openclaw";
/** The variable holding the bot's password when it reaches the gateway as an env SecretRef. */
export const BOT_PASSWORD_ENV = "CLAWXMPP_E2E_BOT_PASSWORD";

/** Options of {@link setUpChannelE2e}. */
export interface ChannelE2eOptions {
  /** Names the temporary directory (`clawxmpp-oc-<name>-…`) and the printed timings line. */
  name: string;
  /** The Prosody fixture's options; its accounts must include `bot`. @default alice, bob, bot */
  prosody?: ProsodyOptions;
  /** The mock model's delay between streamed chunks, in ms. @default 150 (the mock's) */
  mockChunkDelayMs?: number;
  /** The mock model answers `ATTACH-<file>` with files of the agent workspace. @default false */
  mockMediaFromWorkspace?: boolean;
  /**
   * The bot's password reaches the gateway only as an env SecretRef (`BOT_PASSWORD_ENV`), never
   * in the config file. @default false (written into `channels.xmpp.password`)
   */
  passwordFromEnv?: boolean;
  /** Receives the setup's timings (pack, install, copy, gateway start); `stop()` prints them. */
  timings?: Record<string, number>;
  /**
   * From `keepEvidenceOnFailure()`: the temporary directory is then kept when a test failed.
   * @default the directory is removed unless `CLAWXMPP_E2E_KEEP` is set
   */
  evidence?: Evidence;
}

/** Options of {@link ChannelE2e.startGateway}. */
export interface ChannelGatewayOptions {
  /**
   * Merged into `channels.xmpp` over the bot's account (jid, password, server, port, tls.ca,
   * resource).
   */
  channel?: Record<string, unknown>;
  /** Merged over the defaults (the mock model as the primary model, the workspace). */
  config?: Record<string, unknown>;
  /** Time allowed for the gateway's startup. @default the gateway's (90 s) */
  readyTimeoutMs?: number;
}

/** Something {@link ChannelE2e.stop} stops, e.g. a test's `Client`. */
interface Stoppable {
  stop(): Promise<void>;
}

/** What {@link setUpChannelE2e} returns: everything up to, and then including, the gateway. */
export interface ChannelE2e {
  server: ProsodyInstance;
  mock: MockModel;
  /** The temporary root: the home under `oc/`, the packed plugin under `pack/`, the workspace. */
  dir: string;
  /** The agent workspace (`agents.defaults.workspace`), created. */
  workspace: string;
  /** The fixture's CA in a file: it reaches the channel through its own `tls.ca` only. */
  caFile: string;
  home: OpenclawHome;
  installed: InstalledChannel;
  /** The bot's bare JID. */
  bot: string;
  /** The bot's full JID (resource {@link BOT_RESOURCE}). */
  botFull: string;
  /** The gateway once `startGateway()` has started it. */
  readonly gateway: Gateway | undefined;
  /** Writes the gateway config (defaults, then `config`, then `channel`) and starts the gateway. */
  startGateway(options?: ChannelGatewayOptions): Promise<Gateway>;
  /** True when the bot's session answers `client`'s XEP-0199 ping. */
  botOnline(client: Client): Promise<boolean>;
  /** Resolves with the time waited once the bot's session answers `client`'s ping. */
  waitForBotOnline(client: Client, timeoutMs?: number): Promise<number>;
  /**
   * Stops the gateway, then `clients` in order (undefined ones skipped), the mock model and
   * Prosody; removes the directory (see `evidence`) and prints the timings.
   */
  stop(clients?: readonly (Stoppable | undefined)[]): Promise<void>;
}

/** What {@link channelE2e} builds on: the started parts. */
type SetUp = Pick<
  ChannelE2e,
  "server" | "mock" | "dir" | "workspace" | "caFile" | "home" | "installed"
>;

/**
 * Starts Prosody and the mock model and creates an OpenClaw home with the channel installed;
 * `startGateway()` starts the gateway. Whatever was started is stopped again when this fails.
 */
export async function setUpChannelE2e(options: ChannelE2eOptions): Promise<ChannelE2e> {
  const toolchain = await ensureToolchain();
  const timings = options.timings ?? {};
  const dir = mkdtempSync(join(tmpdir(), `clawxmpp-oc-${options.name}-`));
  const removeDir = () => {
    if (options.evidence !== undefined) options.evidence.cleanUp(dir);
    else if (!process.env.CLAWXMPP_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
  };
  let server: ProsodyInstance | undefined;
  let mock: MockModel | undefined;
  try {
    server = await startProsody(options.prosody);
    const workspace = join(dir, "workspace");
    mkdirSync(workspace, { recursive: true });
    mock = await startMockModel({
      ...(options.mockChunkDelayMs === undefined ? {} : { chunkDelayMs: options.mockChunkDelayMs }),
      ...(options.mockMediaFromWorkspace === true ? { mediaDir: workspace } : {}),
    });
    const caFile = join(dir, "prosody-ca.pem");
    writeFileSync(caFile, server.caCert);
    const password = server.accounts.bot?.password;
    if (password === undefined) throw new Error("the channel e2e needs a `bot` account");
    const home = await createOpenclawHome({
      toolchain,
      dir: join(dir, "oc"),
      ...(options.passwordFromEnv === true ? { env: { [BOT_PASSWORD_ENV]: password } } : {}),
    });
    // `plugins install npm-pack:<tgz>` once per tarball; this home gets a copy of the installed state.
    const installed = await installChannelPlugin(home, join(dir, "pack"));
    timings.pack = installed.packed.ms;
    timings[installed.reused ? "plugins install (reused)" : "plugins install"] =
      installed.installMs;
    timings["installed state copied"] = installed.copyMs;
    // The bot's account as `channels.xmpp` starts; `startGateway()` merges the file's settings over it.
    const account = {
      jid: `bot@${server.domain}`,
      password:
        options.passwordFromEnv === true
          ? { source: "env", provider: "default", id: BOT_PASSWORD_ENV }
          : password,
      server: server.host,
      port: server.c2sPort,
      tls: { ca: caFile },
      resource: BOT_RESOURCE,
    };
    const setUp = { server, mock, dir, workspace, caFile, home, installed };
    return channelE2e(options, setUp, account, timings, removeDir);
  } catch (error) {
    await mock?.stop();
    await server?.stop();
    removeDir();
    throw error;
  }
}

/** The handle over what {@link setUpChannelE2e} started. */
function channelE2e(
  options: ChannelE2eOptions,
  setUp: SetUp,
  account: Record<string, unknown>,
  timings: Record<string, number>,
  removeDir: () => void,
): ChannelE2e {
  const { server, mock, home } = setUp;
  const bot = `bot@${server.domain}`;
  const botFull = `${bot}/${BOT_RESOURCE}`;
  let gateway: Gateway | undefined;
  const botOnline = async (client: Client) => {
    try {
      await client.iq.get(xml("ping", { xmlns: "urn:xmpp:ping" }), botFull, { timeout: 2_000 });
      return true;
    } catch {
      return false;
    }
  };
  return {
    ...setUp,
    bot,
    botFull,
    get gateway() {
      return gateway;
    },
    async startGateway(gatewayOptions = {}) {
      const defaults = {
        models: { mode: "merge", providers: { mock: mock.providerConfig() } },
        agents: { defaults: { model: { primary: MOCK_MODEL_REF }, workspace: setUp.workspace } },
        channels: { xmpp: account },
      };
      gateway = await startGateway({
        home,
        config: deepMerge(deepMerge(defaults, gatewayOptions.config ?? {}), {
          channels: { xmpp: gatewayOptions.channel ?? {} },
        }),
        ...(gatewayOptions.readyTimeoutMs === undefined
          ? {}
          : { readyTimeoutMs: gatewayOptions.readyTimeoutMs }),
      });
      timings["gateway start (ready)"] = gateway.startMs;
      return gateway;
    },
    botOnline,
    async waitForBotOnline(client, timeoutMs = 60_000) {
      const started = Date.now();
      while (!(await botOnline(client))) {
        if (Date.now() - started > timeoutMs) {
          throw new Error(`the bot did not come online within ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return Date.now() - started;
    },
    async stop(clients = []) {
      await gateway?.stop();
      for (const client of clients) await client?.stop();
      await mock.stop();
      await server.stop();
      removeDir();
      if (options.timings !== undefined) {
        console.log(`openclaw ${options.name} e2e timings (ms): ${JSON.stringify(timings)}`);
      }
    },
  };
}

/**
 * The config under which agent turns ask the chat: exec approvals forwarded to the session
 * (`approvals.exec`, mode `session`), the exec tool on allowlist + ask on a miss (host gateway: the
 * mock's `touch` is not allowlisted, so it asks), `ask_user` offered directly, and `owner` (a bare
 * JID) the commands owner. Without `tools.toolSearch: false`, OpenClaw catalogues most tools,
 * `ask_user` among them, behind its compact tool-search surface and offers the model only that
 * surface and a few tools such as `exec`.
 */
export function askingAgentConfig(owner: string): Record<string, unknown> {
  return {
    approvals: { exec: { enabled: true, mode: "session" } },
    tools: { exec: { mode: "ask", host: "gateway" }, toolSearch: false },
    commands: { ownerAllowFrom: [`xmpp:${owner}`] },
  };
}
