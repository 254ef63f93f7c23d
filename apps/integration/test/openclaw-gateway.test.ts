/**
 * E2E infrastructure for the OpenClaw channel: the cached Node 24 + openclaw
 * 2026.9.6 toolchain, the mock OpenAI-compatible model, the channel plugin
 * packed and installed the way users install it, `openclaw config validate`
 * against the plugin's manifest schema, and a real gateway started and stopped.
 * Timings are printed so the suite's cost stays visible.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createOpenclawHome,
  deepMerge,
  type Gateway,
  type OpenclawHome,
  startGateway,
} from "../e2e/gateway.js";
import { MOCK_MODEL_REF, type MockModel, startMockModel } from "../e2e/mock-model.js";
import { type PackedPlugin, packChannelPlugin } from "../e2e/plugin-pack.js";
import { ensureToolchain, type Toolchain } from "../e2e/toolchain.js";

const timings: Record<string, number> = {};
let toolchain: Toolchain;
let mock: MockModel;
let dir: string;
let packed: PackedPlugin;
let home: OpenclawHome;
let gateway: Gateway | undefined;

beforeAll(async () => {
  const started = Date.now();
  toolchain = await ensureToolchain();
  timings["toolchain (0 = cached)"] = toolchain.installMs.node + toolchain.installMs.openclaw;
  timings["toolchain check"] = Date.now() - started;
  mock = await startMockModel();
  dir = mkdtempSync(join(tmpdir(), "clawxmpp-oc-e2e-"));
  packed = await packChannelPlugin(join(dir, "pack"));
  timings["build + pack plugin"] = packed.ms;
  home = await createOpenclawHome({ toolchain, dir: join(dir, "oc") });
}, 900_000);

afterAll(async () => {
  await gateway?.stop();
  await mock?.stop();
  // CLAWXMPP_E2E_KEEP=1 keeps the state, logs and gateway console output for debugging.
  if (dir && !process.env.CLAWXMPP_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
  else if (dir) console.log(`kept ${dir}`);
  console.log(`openclaw e2e timings (ms): ${JSON.stringify(timings)}`);
}, 60_000);

describe("mock model", () => {
  it("streams PONG-<token> for the last PING-<token> of any user message", async () => {
    const response = await fetch(`${mock.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "echo",
        stream: true,
        messages: [
          { role: "system", content: "PING-system" },
          { role: "user", content: [{ type: "text", text: "hello PING-abc1" }] },
          { role: "user", content: "internal context" },
        ],
      }),
    });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const text = await response.text();
    const events = text
      .split("\n\n")
      .filter((line) => line.startsWith("data: "))
      .map((line) => line.slice(6));
    expect(events.at(-1)).toBe("[DONE]");
    const first = JSON.parse(events[0]!) as { choices: { delta: { content: string } }[] };
    expect(first.choices[0]!.delta.content).toBe("PONG-abc1");
    const last = JSON.parse(events.at(-2)!) as { choices: { finish_reason: string }[] };
    expect(last.choices[0]!.finish_reason).toBe("stop");
    expect((await fetch(`${mock.baseUrl}/nope`)).status).toBe(404);
  });
});

describe("openclaw with the packed XMPP channel plugin", () => {
  it("packs a tarball that bundles the runtime dependencies", () => {
    expect(packed.tarball).toMatch(/clawxmpp-openclaw-channel-.*\.tgz$/u);
    expect(packed.bundled).toContain("@clawxmpp/core");
    expect(packed.bundled).toContain("zod");
  });

  it("installs with `plugins install npm-pack:<tgz> --force --accept-capabilities`", async () => {
    const result = await home.cli([
      "plugins",
      "install",
      `npm-pack:${packed.tarball}`,
      "--force",
      "--accept-capabilities",
    ]);
    timings["plugins install"] = result.ms;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const config = home.readConfig() as { plugins?: { entries?: Record<string, unknown> } };
    expect(config.plugins?.entries?.xmpp).toBeDefined();
  }, 180_000);

  // The next two run side by side: each CLI process loads all of OpenClaw on one core (10–20 s),
  // and one of the two cores would sit idle. (`channels add` writes the config atomically;
  // `plugins inspect` reads it once, before or after, and either config is valid.)
  it.concurrent("`plugins inspect xmpp --runtime` loads the entry: channel registered, no diagnostics", async ({
    expect,
  }) => {
    const result = await home.cli(["plugins", "inspect", "xmpp", "--runtime", "--json"]);
    timings["plugins inspect --runtime"] = result.ms;
    expect(result.code, result.stderr).toBe(0);
    const inspected = JSON.parse(result.stdout) as {
      plugin: { status: string; channelIds: string[] };
      diagnostics: unknown[];
    };
    expect(inspected.plugin.status).toBe("loaded");
    expect(inspected.plugin.channelIds).toEqual(["xmpp"]);
    expect(inspected.diagnostics).toEqual([]);
  }, 120_000);

  it.concurrent("`channels add --channel xmpp` lists the setup fields and writes channels.xmpp", async ({
    expect,
  }) => {
    const help = await home.cli(["channels", "add", "--channel", "xmpp", "--help"]);
    timings["channels add --help"] = help.ms;
    expect(help.stdout + help.stderr).toMatch(/--jid <jid>/u);
    expect(help.stdout + help.stderr).toMatch(/--password <password>/u);
    const add = await home.cli([
      "channels",
      "add",
      "--channel",
      "xmpp",
      "--jid",
      "bot@localhost",
      "--password",
      "pw",
      "--port",
      "5222",
    ]);
    timings["channels add"] = add.ms;
    expect(add.code, add.stdout + add.stderr).toBe(0);
    const config = home.readConfig() as { channels?: { xmpp?: unknown } };
    expect(config.channels?.xmpp).toMatchObject({
      jid: "bot@localhost",
      password: "pw",
      port: 5222,
    });
  }, 120_000);

  it("`config validate` rejects a bad channels.xmpp value, naming the field", async () => {
    const installed = home.readConfig();
    home.writeConfig(
      deepMerge(installed, {
        channels: { xmpp: { jid: "bot@localhost", password: "pw", port: "five" } },
      }),
    );
    const bad = await home.cli(["config", "validate"]);
    timings["config validate"] = bad.ms;
    const output = bad.stdout + bad.stderr;
    console.log(`config validate (bad port): ${output.trim()}`);
    expect(bad.code, output).not.toBe(0);
    // e.g. "× channels.xmpp.port: invalid config for plugin xmpp: must be integer"
    expect(output).toMatch(/channels\.xmpp\.port\b.*must be integer/u);

    home.writeConfig(deepMerge(installed, { channels: { xmpp: { bogusKey: true } } }));
    const unknown = await home.cli(["config", "validate"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stdout + unknown.stderr).toMatch(/bogusKey/u);

    home.writeConfig(deepMerge(installed, { channels: { xmpp: { avatar: 5 } } }));
    const badAvatar = await home.cli(["config", "validate"]);
    expect(badAvatar.code).not.toBe(0);
    expect(badAvatar.stdout + badAvatar.stderr).toMatch(/channels\.xmpp\.avatar\b/u);

    home.writeConfig(
      deepMerge(installed, {
        channels: {
          xmpp: { jid: "bot@localhost", password: "pw", dmPolicy: "pairing", avatar: "/a.png" },
        },
      }),
    );
    const good = await home.cli(["config", "validate"]);
    expect(good.code, good.stdout + good.stderr).toBe(0);
  }, 120_000);

  it("a gateway with the plugin and the mock model starts, and stops on SIGTERM", async () => {
    gateway = await startGateway({
      home,
      config: {
        models: { mode: "merge", providers: { mock: mock.providerConfig() } },
        agents: { defaults: { model: { primary: MOCK_MODEL_REF } } },
        // Unreachable server: the account must keep retrying, not crash the gateway.
        channels: { xmpp: { enabled: true, jid: "bot@localhost", password: "pw", port: 1 } },
      },
    });
    timings["gateway start"] = gateway.startMs;
    const output = gateway.output();
    expect(output).toMatch(/agent model: mock\/echo/u);
    expect(output).toMatch(/plugins?:[^\n]*\bxmpp\b/u);
    // startAccount ran and the core client retries the unreachable server.
    await gateway.waitForOutput(/\[xmpp\] initial connect failed; retrying/u);
    const stop = await gateway.stop();
    timings["gateway stop"] = stop.ms;
    expect(gateway.output()).toMatch(/received SIGTERM/u);
    expect(stop.ms).toBeLessThan(15_000);
    gateway = undefined;
  }, 180_000);
});
