/**
 * OMEMO in a real OpenClaw 2026.9.6 gateway (Node 24) against a real Prosody:
 * the channel is installed from its packed tarball (which does not contain
 * `@clawxmpp/omemo`), then `@clawxmpp/omemo` is added next to it as a user
 * would add the optional GPL peer. With `omemo.enabled`, the owner's encrypted
 * DM reaches the agent (the mock model) and the reply arrives encrypted, from
 * the device `channels status --probe` shows; a plaintext DM gets a plaintext
 * reply. One gateway.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { InboundMessage } from "@clawxmpp/core";
import { NS_OMEMO } from "@clawxmpp/omemo";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChannelE2e, setUpChannelE2e } from "../e2e/channel-e2e.js";
import { addWorkspacePackage } from "../e2e/plugin-pack.js";
import type { ProsodyInstance } from "../src/index.js";
import { nextEvent } from "./helpers.js";
import { type OmemoAccount, omemoAccount } from "./omemo-helpers.js";

const timings: Record<string, number> = {};
let server: ProsodyInstance;
let e2e: ChannelE2e;
let alice: OmemoAccount;
const BOT = () => `bot@${server.domain}`;

/** The installed channel package: `…/node_modules/@clawxmpp/openclaw-channel` under the state dir. */
function installedChannel(root: string): string {
  const stack = [root];
  while (stack.length > 0) {
    const current = stack.pop()!;
    const candidate = join(current, "node_modules", "@clawxmpp", "openclaw-channel");
    if (existsSync(join(candidate, "package.json"))) return candidate;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith(".")) stack.push(join(current, entry.name));
    }
  }
  throw new Error(`the channel is not installed under ${root}`);
}

/** The bot's OMEMO status in `openclaw channels status --probe --json`, wherever the CLI puts it. */
function findOmemo(value: unknown): { deviceId: number; fingerprint: string } | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const omemo = record.omemo as { deviceId?: unknown; fingerprint?: unknown } | undefined;
  if (typeof omemo?.deviceId === "number" && typeof omemo.fingerprint === "string") {
    return omemo as { deviceId: number; fingerprint: string };
  }
  for (const child of Object.values(record)) {
    const found = findOmemo(child);
    if (found) return found;
  }
  return undefined;
}

function replyFromBot(text: string): Promise<InboundMessage> {
  return nextEvent<InboundMessage>(
    alice.client,
    "message",
    (m) => m.from.bare === BOT() && (m.body ?? "").includes(text),
    // A first agent turn in a fresh gateway took 30 s on a loaded 2-core machine.
    180_000,
  );
}

beforeAll(async () => {
  // `plugins install npm-pack:<tgz>` once per tarball (126 s once on a loaded 2-core machine);
  // this home gets a copy of the installed state, to which @clawxmpp/omemo is then added.
  e2e = await setUpChannelE2e({
    name: "omemo",
    prosody: { accounts: { alice: "alice", bot: "bot" } },
    passwordFromEnv: true,
    timings,
  });
  ({ server } = e2e);
  expect(e2e.installed.packed.bundled).not.toContain("@clawxmpp/omemo");
  const started = Date.now();
  const added = await addWorkspacePackage(installedChannel(e2e.home.stateDir), "@clawxmpp/omemo");
  timings["add @clawxmpp/omemo"] = Date.now() - started;
  expect(added).toContain("@privacyresearch/libsignal-protocol-typescript");
  alice = await omemoAccount(server, "alice");
  await e2e.startGateway({
    // A loaded 2-core machine has taken more than the default 90 s.
    readyTimeoutMs: 240_000,
    channel: {
      allowFrom: [`alice@${server.domain}`],
      omemo: { enabled: true, deviceLabel: "OpenClaw e2e" },
    },
  });
}, 600_000);

afterAll(async () => {
  await e2e?.stop([alice?.client]);
}, 60_000);

describe("OMEMO in a real gateway", () => {
  it("an encrypted DM gets an encrypted reply from the device the status probe shows; plaintext gets plaintext", async () => {
    // The bot's device is published once it is online; alice refreshes the bot's list (until the
    // node is open to her, a fetch may be refused).
    const deadline = Date.now() + 60_000;
    const listed = () =>
      alice.om.devices(BOT(), { refresh: true }).then(
        (devices) => devices.length > 0,
        () => false,
      );
    while (!(await listed())) {
      if (Date.now() > deadline) throw new Error("the bot never published an OMEMO device");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // What `openclaw channels status --probe --json` prints: the `channels.status` RPC's answer.
    const probe = await e2e.gateway!.call("channels.status", { probe: true, timeoutMs: 30_000 });
    const shown = findOmemo(probe);
    expect(shown, JSON.stringify(probe)).toBeDefined();

    let started = Date.now();
    const encrypted = replyFromBot("PONG-sealed1");
    await alice.om.sendEncrypted(BOT(), "hello PING-sealed1");
    const reply = await encrypted;
    timings["encrypted round trip"] = Date.now() - started;
    expect(reply.omemo).toMatchObject({
      encrypted: true,
      jid: BOT(),
      deviceId: shown!.deviceId,
      fingerprint: shown!.fingerprint.replaceAll(" ", ""),
    });
    // The mock model saw the decrypted text, not the fallback body.
    expect(e2e.mock.requests.some((r) => r.userText.includes("PING-sealed1"))).toBe(true);

    started = Date.now();
    const plain = replyFromBot("PONG-open1");
    await alice.client.send({ to: BOT(), body: "hello PING-open1", omemo: false });
    const plainReply = await plain;
    timings["plaintext round trip"] = Date.now() - started;
    expect(plainReply.omemo).toBeUndefined();
    expect(plainReply.stanza.getChild("encrypted", NS_OMEMO)).toBeUndefined();

    const state = join(e2e.gateway!.home.stateDir, "plugins", "xmpp", "default", "omemo.json");
    expect(statSync(state).mode & 0o777).toBe(0o600);
  }, 480_000);
});
