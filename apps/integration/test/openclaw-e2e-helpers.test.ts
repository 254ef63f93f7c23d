/**
 * The e2e helpers themselves, without a gateway: the mock model's reply rule,
 * config merging, dependency detection for packing, and the toolchain's
 * message when the npm registry cannot be reached.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { deepMerge, findChannelAccount, readableLog, stripAnsi } from "../e2e/gateway.js";
import { mockReply } from "../e2e/mock-model.js";
import { importedPackages } from "../e2e/plugin-pack.js";
import { ensureToolchain, RegistryUnreachableError } from "../e2e/toolchain.js";

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
