/**
 * Issue #18 defect 4 on the real server: a stranger's 1,000 disco#info
 * requests per second for 10 s must not make the bot deaf to its owner. The
 * bot (`fixtures/bot-process.mjs`) and the stranger (`fixtures/iq-flood.mjs`)
 * each run in a process of their own; the owner is this test process. The
 * owner DMs the bot every 200 ms during the flood and times each echo; the
 * bot reports its own RSS (`process.memoryUsage().rss` in the bot's process)
 * before, halfway through and after the flood.
 */
import { performance } from "node:perf_hooks";
import type { Client, InboundMessage } from "@clawxmpp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, type ProsodyInstance, startProsody } from "../src/index.js";
import { nextEvent, until } from "./helpers.js";
import { buildCore, type NodeChild, startAccountProcess } from "./node-child.js";

const FLOOD_RATE = 1_000;
const FLOOD_SECONDS = 10;
const DM_INTERVAL_MS = 200;
const MEDIAN_LIMIT_MS = 100;
/** RSS the bot may grow by under the flood (issue: 67 → 105 MB today). */
const RSS_GROWTH_LIMIT = 24 * 1024 * 1024;

let server: ProsodyInstance;
const children: NodeChild[] = [];
let owner: Client | undefined;

beforeAll(async () => {
  buildCore();
  server = await startProsody({
    mam: false,
    accounts: { owner: "owner", bot: "bot", stranger: "stranger" },
  });
});

afterAll(async () => {
  for (const child of children) child.kill();
  await owner?.stop();
  await server?.stop();
});

function spawn(script: string, user: string, env: Record<string, string>): NodeChild {
  const child = startAccountProcess(script, server, user, env);
  children.push(child);
  return child;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.POSITIVE_INFINITY;
}

describe("a stranger's IQ flood", () => {
  it("leaves the owner's DMs answered quickly and the bot's memory bounded", async () => {
    const bot = spawn("bot-process.mjs", "bot", { BOT_OWNER: "owner@localhost" });
    await bot.next("online", 15_000);
    const botJid = "bot@localhost";
    owner = clientFor(server, "owner");
    await owner.start();
    const me = owner;

    const echoes = new Map<string, number>();
    me.on("message", (m: InboundMessage) => {
      if (m.from.bare === botJid && m.body?.startsWith("echo ")) {
        echoes.set(m.body.slice(5), performance.now());
      }
    });
    const rss = async (): Promise<number> => {
      const reply = nextEvent<InboundMessage>(
        me,
        "message",
        (m) => m.from.bare === botJid && (m.body?.startsWith("rss ") ?? false),
        30_000,
      );
      await me.send({ to: botJid, body: "rss?" });
      return Number((await reply).body?.split(" ")[1]);
    };
    // Warm up (first echoes pay for JIT and TLS buffers), then the baseline.
    for (let i = 0; i < 5; i++) {
      const echoed = nextEvent(me, "message", (m: InboundMessage) => m.body === `echo warm ${i}`);
      await me.send({ to: botJid, body: `warm ${i}` });
      await echoed;
    }
    const rssBefore = await rss();

    const botFull = await botFullJid(me);
    const flood = spawn("iq-flood.mjs", "stranger", {
      FLOOD_TARGET: botFull,
      FLOOD_RATE: String(FLOOD_RATE),
      FLOOD_SECONDS: String(FLOOD_SECONDS),
      FLOOD_GRACE_MS: "5000",
    });
    await flood.next("online", 15_000);

    const sentAt = new Map<string, number>();
    const floodStarted = performance.now();
    let rssDuring = Number.NaN;
    let rssDuringAsked = false;
    while (performance.now() - floodStarted < FLOOD_SECONDS * 1_000) {
      const body = `dm ${sentAt.size}`;
      sentAt.set(body, performance.now());
      void me.send({ to: botJid, body }).catch(() => {});
      if (!rssDuringAsked && performance.now() - floodStarted > (FLOOD_SECONDS * 1_000) / 2) {
        rssDuringAsked = true;
        void rss().then(
          (value) => {
            rssDuring = value;
          },
          () => {},
        );
      }
      // The owner's pace: one DM every 200 ms.
      await new Promise((resolve) => setTimeout(resolve, DM_INTERVAL_MS));
    }
    const floodSent = await flood.next("sent", 30_000, 0);
    // Stragglers get 10 s after the flood; unanswered DMs count as infinitely slow.
    await until(() => echoes.size >= sentAt.size, 10_000, "echoes").catch(() => {});
    const rtts = [...sentAt].map(([body, at]) => {
      const echoedAt = echoes.get(body);
      return echoedAt === undefined ? Number.POSITIVE_INFINITY : echoedAt - at;
    });
    const floodDone = await flood.next("done", 60_000, 0);
    const rssAfter = await rss().catch(() => Number.NaN);
    const rssPeak = Math.max(rssBefore, rssDuring || 0, rssAfter || 0);
    const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
    const figures = {
      floodSent: floodSent.sent,
      floodSeconds: Number(floodSent.ms) / 1000,
      floodAnswered: floodDone.answered,
      floodErrors: floodDone.errors,
      dms: rtts.length,
      dmsUnanswered: rtts.filter((r) => r === Number.POSITIVE_INFINITY).length,
      dmMedianMs: finite(median(rtts)),
      dmMaxMs: finite(Math.max(...rtts)),
      botRss: `${mib(rssBefore)} before, ${mib(rssDuring)} halfway, ${mib(rssAfter)} after`,
    };
    process.stdout.write(`IQ flood: ${JSON.stringify(figures)}\n`);
    expect(figures.floodSent).toBe(FLOOD_RATE * FLOOD_SECONDS);
    expect(figures.dmsUnanswered, JSON.stringify(figures)).toBe(0);
    expect(median(rtts), JSON.stringify(figures)).toBeLessThanOrEqual(MEDIAN_LIMIT_MS);
    expect(Number.isNaN(rssAfter), "the bot did not report its RSS after the flood").toBe(false);
    expect(rssPeak - rssBefore, JSON.stringify(figures)).toBeLessThanOrEqual(RSS_GROWTH_LIMIT);
    expect(bot.alive()).toBe(true);
    bot.process.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
  }, 120_000);
});

/** Rounded milliseconds, or "unanswered" for a DM that never got its echo. */
function finite(ms: number): number | "unanswered" {
  return Number.isFinite(ms) ? Math.round(ms) : "unanswered";
}

/** The bot's full JID, from its echo of a DM (the bot's resource is random). */
async function botFullJid(client: Client): Promise<string> {
  const reply = nextEvent<InboundMessage>(client, "message", (m) => m.body === "echo whoami");
  await client.send({ to: "bot@localhost", body: "whoami" });
  return (await reply).from.full;
}
