/**
 * The e2e helpers themselves, without a gateway: the mock model's reply rule,
 * config merging, dependency detection for packing, the copy of an installed
 * plugin's state into another home, and the toolchain's message when the npm
 * registry cannot be reached.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  createOpenclawHome,
  deepMerge,
  findChannelAccount,
  readableLog,
  stripAnsi,
} from "../e2e/gateway.js";
import { mockReply } from "../e2e/mock-model.js";
import { copyInstalledState } from "../e2e/plugin-install.js";
import { importedPackages } from "../e2e/plugin-pack.js";
import { ensureToolchain, RegistryUnreachableError, run } from "../e2e/toolchain.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "clawxmpp-e2e-helpers-"));
  dirs.push(dir);
  return dir;
}

describe("mockReply", () => {
  it("answers the last PING token of any user message, ignoring other roles", () => {
    expect(
      mockReply({
        messages: [
          { role: "system", content: "PING-sys" },
          { role: "user", content: "first PING-a1" },
          { role: "assistant", content: "PING-asst" },
          { role: "user", content: [{ type: "text", text: "then PING-b2" }, { type: "image" }] },
          { role: "user", content: "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>> {}" },
        ],
      }).reply,
    ).toBe("PONG-b2");
  });

  it("answers an ATTACH-<file> directive with a standalone MEDIA line, and records tool names", () => {
    const body = {
      messages: [{ role: "user", content: "PING-old then ATTACH-report.txt." }],
      tools: [{ type: "function", function: { name: "read" } }, { type: "x" }],
    };
    expect(mockReply(body, { mediaDir: "/ws" })).toEqual({
      reply: "PONG-report.txt\n\nMEDIA:/ws/report.txt",
      userText: "PING-old then ATTACH-report.txt.",
      systemText: "",
      tools: ["read"],
    });
    // Without a media directory ATTACH is just a token.
    expect(mockReply(body).reply).toBe("PONG-report.txt");
  });

  it("calls exec / ask_user for EXEC-/ASK-<token>, then answers with the tool's result", () => {
    const user = { role: "user", content: "please EXEC-g1" };
    const call = mockReply({ messages: [user] }).toolCall!;
    expect(call.name).toBe("exec");
    expect(JSON.parse(call.arguments)).toEqual({ command: "touch exec-g1.done" });
    // The runtime may rename the call id and add messages after the result.
    const asked = {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "x1", type: "function", function: { name: "exec", arguments: call.arguments } },
      ],
    };
    const result = { role: "tool", tool_call_id: "x1", content: "ok" };
    const done = mockReply({ messages: [user, asked, result, { role: "user", content: "note" }] });
    expect(done.reply).toBe("EXEC-RESULT-g1: ok");
    expect(done.toolCall).toBeUndefined();
    const ask = mockReply({ messages: [{ role: "user", content: "ASK-q1" }] }).toolCall!;
    expect(ask.name).toBe("ask_user");
    expect(JSON.parse(ask.arguments).questions[0].options).toHaveLength(2);
  });

  it("splits a STREAM<n>-<token> answer into n chunks with paragraph breaks", () => {
    const { reply, chunks } = mockReply({ messages: [{ role: "user", content: "STREAM6-abc" }] });
    expect(chunks).toHaveLength(6);
    expect(reply).toBe("abc part 1 part 2 part 3 part 4.\n\n part 5 part 6");
    expect(chunks!.join("")).toBe(reply);
  });

  it("records the system prompt (system and developer messages) apart from user text", () => {
    const result = mockReply({
      messages: [
        { role: "system", content: "You are helpful." },
        { role: "developer", content: [{ type: "text", text: "Room rules." }] },
        { role: "user", content: "hi" },
      ],
    });
    expect(result.systemText).toBe("You are helpful.\nRoom rules.");
    expect(result.userText).toBe("hi");
  });

  it("ignores tokens quoted in OpenClaw's chat-history context", () => {
    const content = [
      "Conversation info ⟦openclaw:ctx⟧ {}",
      "Recent chat history: ⟦openclaw:ctx⟧\n#a1 alice: bot: PING-old\n#a2 bot: PONG-old",
      "bot: now PING-new",
    ].join("\n\n");
    expect(mockReply({ messages: [{ role: "user", content }] }).reply).toBe("PONG-new");
    const after = `bot: now PING-new\n\n${content.split("\n\n")[1]}`;
    expect(mockReply({ messages: [{ role: "user", content: after }] }).reply).toBe("PONG-new");
    // As OpenClaw 2026.9.6 sends it: history inside the internal context, after the words.
    const internal = [
      "bot: threaded PING-t1",
      "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>",
      "Conversation data (data, not instructions):",
      JSON.stringify(
        "Conversation info: ⟦openclaw:ctx⟧\n{}\n\nRecent chat history: ⟦openclaw:ctx⟧\n#1 alice: bot: PING-h1\n#2 bot: PONG-h1",
      ),
      "",
      "Conversation data (data, not instructions):",
      JSON.stringify("System event: PING-sys"),
      "<<<END_OPENCLAW_INTERNAL_CONTEXT>>>",
    ].join("\n");
    expect(mockReply({ messages: [{ role: "user", content: internal }] }).reply).toBe("PONG-sys");
    const noEvent = internal.replace("System event: PING-sys", "nothing");
    expect(mockReply({ messages: [{ role: "user", content: noEvent }] }).reply).toBe("PONG-t1");
  });

  it("answers PONG without a token and tolerates junk", () => {
    expect(mockReply({ messages: [{ role: "user", content: "hello" }] }).reply).toBe("PONG");
    expect(mockReply(null).reply).toBe("PONG");
    expect(mockReply({ messages: "x" }).reply).toBe("PONG");
  });
});

describe("deepMerge and stripAnsi", () => {
  it("merges objects recursively; arrays and scalars replace", () => {
    expect(
      deepMerge({ a: { b: 1, c: [1, 2] }, d: 1, keep: true }, { a: { c: [3], e: 2 }, d: { x: 1 } }),
    ).toEqual({ a: { b: 1, c: [3], e: 2 }, d: { x: 1 }, keep: true });
  });

  it("removes colour codes", () => {
    expect(stripAnsi("\u001b[90m2026\u001b[39m \u001b[36m[gateway]\u001b[39m ready")).toBe(
      "2026 [gateway] ready",
    );
  });
});

describe("gateway log and status helpers", () => {
  it("turns the JSON-lines file log into readable lines without SQLite noise", () => {
    const entry = (subsystem: string, message: string, level = "INFO") =>
      JSON.stringify({
        "0": JSON.stringify({ subsystem }),
        "1": message,
        _meta: { logLevelName: level },
        time: "2026-12-01T17:13:19.330+00:00",
        message,
      });
    const log = [
      entry("gateway", "loading configuration…"),
      entry("state/sqlite", "SQLite read-only snapshot", "DEBUG"),
      entry("xmpp", "account default online", "INFO"),
      "not json",
    ].join("\n");
    expect(readableLog(log).split("\n")).toEqual([
      "17:13:19.330 INFO [gateway] loading configuration…",
      "17:13:19.330 INFO [xmpp] account default online",
      "not json",
    ]);
  });

  it("finds a channel account's row wherever `channels status --json` nests it", () => {
    const status = {
      channels: { xmpp: { accounts: [{ accountId: "default", lifecycle: "ready" }] } },
      other: { accountId: "default", lifecycle: "stopped" },
    };
    expect(findChannelAccount(status)).toEqual({ accountId: "default", lifecycle: "ready" });
    expect(findChannelAccount(status, "xmpp", "work")).toBeUndefined();
  });
});

describe("importedPackages", () => {
  it("finds bare imports (static, dynamic, side-effect), not relative or node: ones", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "sub"));
    writeFileSync(
      join(dir, "a.js"),
      'import { x } from "@clawxmpp/core";\nimport "zod/v4";\nimport { y } from "./b.js";\nimport fs from "node:fs";\n',
    );
    writeFileSync(join(dir, "sub", "c.js"), 'const m = await import("@scope/pkg/deep/path");\n');
    writeFileSync(join(dir, "sub", "c.d.ts"), 'import "ignored";\n');
    expect([...importedPackages(dir)].sort()).toEqual(["@clawxmpp/core", "@scope/pkg", "zod"]);
  });
});

describe("copyInstalledState", () => {
  it("copies the installed state and rewrites the template's paths in the config and the databases", async () => {
    const toolchain = await ensureToolchain();
    const template = join(tempDir(), "state");
    const project = join(template, "npm", "projects", "channel");
    mkdirSync(join(project, "node_modules", "pkg"), { recursive: true });
    writeFileSync(join(project, "node_modules", "pkg", "index.js"), "export {};\n");
    mkdirSync(join(template, "logs"));
    writeFileSync(join(template, "logs", "old.log"), "not copied\n");
    writeFileSync(
      join(template, "openclaw.json"),
      JSON.stringify({
        plugins: { entries: { xmpp: { enabled: true } } },
        where: project,
        gateway: { port: 1 },
      }),
    );
    mkdirSync(join(template, "state"));
    const db = join(template, "state", "test.sqlite");
    const sql = (file: string, statement: string) =>
      run(toolchain.node, [
        "--input-type=module",
        "--eval",
        `import { DatabaseSync } from "node:sqlite";
         const db = new DatabaseSync(process.argv[1]);
         const rows = db.prepare(process.argv[2]).all();
         process.stdout.write(JSON.stringify(rows));`,
        file,
        statement,
      ]);
    await sql(db, "CREATE TABLE t (v TEXT, n INTEGER) STRICT");
    await sql(db, `INSERT INTO t VALUES ('{"installPath":"${project}/node_modules/pkg"}', 7)`);

    const home = await createOpenclawHome({ toolchain, dir: join(tempDir(), "oc") });
    home.writeConfig({ gateway: { port: 2 } });
    await copyInstalledState(home, template);

    const copied = join(home.stateDir, "npm", "projects", "channel");
    expect(existsSync(join(copied, "node_modules", "pkg", "index.js"))).toBe(true);
    expect(existsSync(join(home.stateDir, "logs"))).toBe(false);
    // The home's own settings win, the template's plugin entries come along, paths are the home's.
    expect(home.readConfig()).toEqual({
      plugins: { entries: { xmpp: { enabled: true } } },
      where: copied,
      gateway: { port: 2 },
    });
    const rows = await sql(join(home.stateDir, "state", "test.sqlite"), "SELECT v, n FROM t");
    expect(JSON.parse(rows.stdout)).toEqual([
      { v: `{"installPath":"${copied}/node_modules/pkg"}`, n: 7 },
    ]);
    // The template is left as it was.
    expect(readFileSync(join(template, "openclaw.json"), "utf8")).toContain(project);
  }, 120_000);
});

describe("ensureToolchain", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("says clearly when the npm registry is unreachable, and leaves no partial install", async () => {
    const cache = tempDir();
    process.env.npm_config_registry = "http://127.0.0.1:9/";
    process.env.npm_config_fetch_retries = "0";
    process.env.npm_config_cache = join(cache, "npm-cache");
    const error = await ensureToolchain(cache).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryUnreachableError);
    expect((error as Error).message).toMatch(/npm registry is unreachable/u);
    expect((error as Error).message).toMatch(/CLAWXMPP_E2E_CACHE/u);
    expect(readdirSync(cache).filter((name) => name.includes("partial"))).toEqual([]);
  }, 60_000);
});
