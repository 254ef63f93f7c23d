/**
 * Issue #18 "Must show" on the real server, lifecycle part:
 * - defect 1: a process whose only work is a client survives a server SIGKILL,
 *   stays alive through the outage and is online again after the restart; the
 *   same while the first connection is still being retried;
 * - defect 9: `start()` settles after `stop()`, also when `stop()` comes while a
 *   `start({ retryInitialConnect })` against a dead port is pending.
 */
import { ClawXmppError, type Client, createClient } from "@clawxmpp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, freePorts, type ProsodyInstance, startProsody } from "../src/index.js";
import { until } from "./helpers.js";
import { buildCore, type NodeChild, startAccountProcess } from "./node-child.js";

/** How long the server stays down: the bot must not exit during it. */
const OUTAGE_MS = 2_000;

let server: ProsodyInstance;
const children: NodeChild[] = [];

beforeAll(async () => {
  buildCore();
  server = await startProsody({ mam: false });
});

afterAll(async () => {
  for (const child of children) child.kill();
  await server?.stop();
});

function botProcess(env: Record<string, string> = {}): NodeChild {
  const child = startAccountProcess("bot-process.mjs", server, "bot", env);
  children.push(child);
  return child;
}

/** Resolves true when `child` exits within `ms`, false when it is still running then. */
function exitsWithin(child: NodeChild, ms: number): Promise<boolean> {
  return Promise.race([
    child.exited.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms)),
  ]);
}

describe("a process holding only a client", () => {
  it("survives a server SIGKILL, stays alive through the outage, and is online again", async () => {
    const bot = botProcess();
    await bot.next("online", 15_000);
    const mark = bot.reports.length;
    await server.kill();
    const offline = await bot.next("offline", 10_000, mark);
    expect(offline.willReconnect).toBe(true);
    const exitedDuringOutage = await exitsWithin(bot, OUTAGE_MS);
    expect(exitedDuringOutage, `the bot process exited during the outage:\n${bot.output()}`).toBe(
      false,
    );
    await server.restart();
    const readyAt = Date.now();
    const online = await bot.next("online", 15_000, mark);
    process.stdout.write(
      `lone client: online again ${online.at - readyAt} ms after the server was ready\n`,
    );
    expect(bot.alive()).toBe(true);
    bot.process.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
  }, 60_000);

  it("stays alive while its first connection is retried, and comes online when the server does", async () => {
    await server.kill();
    try {
      const bot = botProcess({ BOT_RETRY: "1" });
      const exitedWhileDown = await exitsWithin(bot, OUTAGE_MS);
      expect(exitedWhileDown, `the bot process exited while retrying:\n${bot.output()}`).toBe(
        false,
      );
      await server.restart();
      await bot.next("online", 15_000, 0);
      expect(bot.alive()).toBe(true);
      bot.process.kill("SIGTERM");
      expect(await bot.exited).toBe(0);
    } finally {
      if (server.pid === undefined) await server.restart();
    }
  }, 60_000);
});

/** Settles `promise` into a value, or "pending" when it has not settled within `ms`. */
async function settleWithin<T>(
  promise: Promise<T>,
  ms: number,
): Promise<{ value: T } | { error: unknown } | "pending"> {
  return Promise.race([
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    new Promise<"pending">((resolve) => setTimeout(() => resolve("pending"), ms)),
  ]);
}

function deadPortClient(port: number): Client {
  return createClient({
    jid: "bot@localhost",
    password: "bot",
    server: "127.0.0.1",
    port,
    tls: { ca: server.caCert },
  });
}

describe("start() and stop()", () => {
  it("start() after stop() settles", async () => {
    const client = clientFor(server, "alice");
    await client.start();
    await client.stop();
    const outcome = await settleWithin(client.start(), 5_000);
    expect(outcome).not.toBe("pending");
    if (outcome !== "pending" && "error" in outcome) {
      expect(ClawXmppError.isInstance(outcome.error)).toBe(true);
    }
    await client.stop();
  });

  it("stop() while start({ retryInitialConnect }) waits to retry a dead port: start() settles", async () => {
    const [port] = (await freePorts(1)) as [number];
    const client = deadPortClient(port);
    const starting = client.start({ retryInitialConnect: true });
    starting.catch(() => {});
    // The first attempt was refused; the client now waits for its next attempt.
    await until(() => client.stats.lastError !== undefined, 5_000, "the first refused attempt");
    expect(await settleWithin(client.stop(), 5_000)).not.toBe("pending");
    const outcome = await settleWithin(starting, 5_000);
    expect(outcome, "start() still pending 5 s after stop()").not.toBe("pending");
    expect(outcome).toHaveProperty("error");
  });

  it("stop() right after start({ retryInitialConnect }) against a dead port: start() settles", async () => {
    const [port] = (await freePorts(1)) as [number];
    const client = deadPortClient(port);
    const starting = client.start({ retryInitialConnect: true });
    starting.catch(() => {});
    expect(await settleWithin(client.stop(), 5_000)).not.toBe("pending");
    const outcome = await settleWithin(starting, 5_000);
    expect(outcome, "start() still pending 5 s after stop()").not.toBe("pending");
    expect(outcome).toHaveProperty("error");
  });
});
