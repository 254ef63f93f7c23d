/**
 * The client under fuzz: core with every plugin loaded (policy, muc,
 * markers, upload, pubsub, profile, commands) and composed the way a bot
 * composes them (the policy judges DMs, room messages and invitations), on
 * the fake transport with XEP-0198 on and a fake clock the engine moves. Errors the core or a plugin
 * logs at `error` level are exceptions that escaped into a safety net; they
 * are collected as findings.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CommandsHandle, commands } from "@clawxmpp/commands";
import { type Client, createClient, type Logger, memoryCursor } from "@clawxmpp/core";
import { type MarkersHandle, markers } from "@clawxmpp/markers";
import { type MucHandle, muc } from "@clawxmpp/muc";
import { type PolicyHandle, policy } from "@clawxmpp/policy";
import { type ProfileHandle, profile } from "@clawxmpp/profile";
import { type PubsubHandle, pubsub } from "@clawxmpp/pubsub";
import {
  type FakeClock,
  type FakeServer,
  fakeClock,
  fakeServer,
  type PluginUse,
} from "@clawxmpp/test";
import { type UploadHandle, upload } from "@clawxmpp/upload";
import { composeBot } from "./composer.js";
import { fuzzCommand } from "./fuzz-command.js";
import type { FuzzScene } from "./scene.js";

/** An error the client or a plugin logged, or a composer call that failed. */
export interface LoggedError {
  source: string;
  message: string;
  detail: string;
}

/** The handles of every plugin the target loads. */
export interface FuzzPlugins {
  policy: PolicyHandle;
  muc: MucHandle;
  markers: MarkersHandle;
  upload: UploadHandle;
  pubsub: PubsubHandle;
  profile: ProfileHandle;
  commands: CommandsHandle;
}

/** The composed client and its controls. */
export interface FuzzTarget {
  readonly client: Client;
  readonly server: FakeServer;
  readonly clock: FakeClock;
  readonly plugins: FuzzPlugins;
  /** Events the client and plugins emitted: how far the cases got. */
  readonly delivered: Record<string, number>;
  /** Warnings logged, by logger and message: handled trouble, for the report. */
  readonly warnings: ReadonlyMap<string, number>;
  /** Errors logged since the last {@link takeErrors} call. */
  takeErrors(): LoggedError[];
  /** Stops the client and removes the temporary directory. */
  dispose(): Promise<void>;
}

function describe(data: Record<string, unknown> | undefined): string {
  if (!data) return "";
  const error = data.error;
  if (error instanceof Error) return error.stack ?? error.message;
  try {
    return JSON.stringify(data).slice(0, 2_000);
  } catch {
    return "[unserialisable]";
  }
}

function collectingLogger(
  errors: LoggedError[],
  warnings: Map<string, number>,
  name = "client",
): Logger {
  const ignore = () => {};
  return {
    debug: ignore,
    info: ignore,
    warn: (message) => {
      const key = `${name}: ${message}`;
      warnings.set(key, (warnings.get(key) ?? 0) + 1);
    },
    error: (message, data) => errors.push({ source: name, message, detail: describe(data) }),
    child: (child) => collectingLogger(errors, warnings, `${name}:${child}`),
  };
}

/** Builds the composed client (not started), with `extra` plugins used after the standard ones. */
export async function createFuzzTarget(
  scene: FuzzScene,
  extra: readonly PluginUse[] = [],
): Promise<FuzzTarget> {
  const dir = await mkdtemp(join(tmpdir(), "clawxmpp-fuzz-"));
  const errors: LoggedError[] = [];
  const warnings = new Map<string, number>();
  const server = fakeServer({ jid: scene.full, streamManagement: true, autoAck: true });
  const clock = fakeClock(Date.UTC(2026, 11, 1));
  const client = createClient({
    jid: scene.account,
    password: "fuzz",
    resource: "fuzz",
    transport: server.factory,
    clock,
    logger: collectingLogger(errors, warnings),
    keepalive: { interval: 0 },
    reconnect: { initialDelay: 10, maxDelay: 100, jitter: 0 },
    archive: { catchUp: true, cursor: memoryCursor("archive-0") },
  });
  const plugins: FuzzPlugins = {
    policy: client.use(policy, {
      allowFrom: [scene.owner],
      groupAllowFrom: [scene.owner],
      groupPolicy: "allowlist",
      dmPolicy: "pairing",
      storePath: join(dir, "pairing.json"),
    }),
    muc: client.use(muc, { nickname: scene.nick, rooms: [scene.room], joinTimeout: 5_000 }),
    markers: client.use(markers, {}),
    upload: client.use(upload, {
      roots: [dir],
      downloadDir: join(dir, "downloads"),
      // Every name resolves to a private address: downloads are refused before any connection.
      resolver: async () => [{ address: "10.0.0.1", family: 4 }],
    }),
    pubsub: client.use(pubsub, { services: ["pubsub.fuzz.test"], notify: ["news"] }),
    // Properties are evaluated in order: pubsub is in use before profile, which requires it.
    profile: client.use(profile, { watch: ["avatar", "nickname", "mood"] }),
    commands: client.use(commands, { allowed: (jid) => jid.bare === scene.owner }),
  };
  plugins.commands.add(fuzzCommand);
  for (const { plugin, options } of extra) client.use(plugin, options);
  const delivered = composeBot(client, plugins, scene, errors);
  return {
    client,
    server,
    clock,
    plugins,
    delivered,
    warnings,
    takeErrors: () => errors.splice(0),
    async dispose() {
      await client.stop();
      // A pairing-store write (temp file + rename) may still land while the directory goes:
      // rm retries ENOTEMPTY instead of failing the run.
      await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
    },
  };
}
