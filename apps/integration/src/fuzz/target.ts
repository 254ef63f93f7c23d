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
import {
  ClawXmppError,
  type Client,
  createClient,
  type Logger,
  memoryCursor,
} from "@clawxmpp/core";
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
import { fuzzCommand } from "./fuzz-command.js";
import type { FuzzScene } from "./scene.js";

/** An error the client or a plugin logged, or a composer call that failed. */
export interface LoggedError {
  source: string;
  message: string;
  detail: string;
}

/** The composed client and its controls. */
export interface FuzzTarget {
  readonly client: Client;
  readonly server: FakeServer;
  readonly clock: FakeClock;
  readonly plugins: {
    policy: PolicyHandle;
    muc: MucHandle;
    markers: MarkersHandle;
    upload: UploadHandle;
    pubsub: PubsubHandle;
    profile: ProfileHandle;
    commands: CommandsHandle;
  };
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
  const plugins = {
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
  const delivered: Record<string, number> = {};
  const count = (name: string) => () => {
    delivered[name] = (delivered[name] ?? 0) + 1;
  };
  const failed = (source: string) => (error: unknown) =>
    errors.push({ source, message: "composer call rejected", detail: String(error) });
  // A refusal is a clawxmpp error; anything else (a TypeError from a hostile URL) is a finding.
  const refusedOnly = (source: string) => ({
    ok: () => errors.push({ source, message: "download was not refused", detail: "" }),
    failed: (error: unknown) => {
      if (ClawXmppError.isInstance(error)) count(`${source} refused`)();
      else failed(source)(error);
    },
  });
  // The composer: what a bot (or the OpenClaw channel) does with each event.
  client.on("message", (message) => {
    if (message.type === "groupchat" && message.muc) {
      plugins.policy.check({
        kind: "group",
        room: message.muc.room,
        realJid: message.muc.realJid,
        mentioned: message.muc.mentioned,
      });
    } else if (message.body !== undefined && !message.outgoing) {
      plugins.policy.admitDm(message.from.full).catch(failed("policy.admitDm"));
    }
    for (const attachment of message.attachments?.slice(0, 2) ?? []) {
      const check = refusedOnly("upload.download");
      plugins.upload.download(attachment).then(check.ok, check.failed);
    }
  });
  for (const event of ["message", "presence", "bounce", "subscription"] as const)
    client.on(event, count(event));
  for (const event of [
    "invite",
    "joined",
    "kicked",
    "destroyed",
    "subjectChanged",
    "occupantJoined",
    "nickChanged",
    "joinFailed",
  ] as const)
    plugins.muc.on(event, count(`muc.${event}`));
  for (const event of [
    "reaction",
    "marker",
    "receipt",
    "correction",
    "retraction",
    "reply",
    "chatState",
  ] as const)
    plugins.markers.on(event, count(`markers.${event}`));
  for (const event of ["item", "retract", "delete", "purge"] as const)
    plugins.pubsub.on(event, count(`pubsub.${event}`));
  for (const event of ["avatar", "nickname", "mood"] as const)
    plugins.profile.on(event, count(`profile.${event}`));
  // A bot kicked or left without its room would ignore every room case after that: rejoin.
  const rejoin = () => {
    plugins.muc.join(scene.room).catch(() => {});
  };
  for (const event of ["kicked", "removed", "destroyed", "banned"] as const)
    plugins.muc.on(event, rejoin);
  plugins.muc.on("invite", (invite) => {
    const decision = plugins.policy.decide({
      kind: "invite",
      inviter: invite.from,
      room: invite.room,
    });
    // Followed like a bot would; a refused or failed join is a clawxmpp error, anything else a finding.
    if (decision.action === "allow") {
      const check = refusedOnly("muc.join");
      plugins.muc.join(invite.room).then(count("muc.join followed"), check.failed);
    }
  });
  // Service discovery on every new session, answered by the fake peer or by fuzzed IQ results.
  client.on("online", ({ resumed }) => {
    if (resumed) return;
    const check = refusedOnly("upload.service");
    plugins.upload.service().then(count("upload.service found"), check.failed);
  });
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
      await rm(dir, { recursive: true, force: true });
    },
  };
}
