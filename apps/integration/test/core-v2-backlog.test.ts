/**
 * Issue #18 defect 2 on the real server: with exactly `queueSize` sends waiting
 * when the connection comes back, session setup still happens: the initial
 * presence (a subscribed contact sees the bot available, and a DM to the bare
 * JID reaches it live), carbons are enabled, the archive catch-up runs, and
 * every queued message is delivered once.
 */
import type { Client, InboundMessage, InboundPresence } from "@clawxmpp/core";
import { ClawXmppError } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { nextEvent, until } from "./helpers.js";
import { prosodySuite } from "./prosody-suite.js";

const QUEUE_SIZE = 500;

const suite = prosodySuite();
const make = suite.make;

/** Resolves true when `promise` resolves within `ms`, false otherwise. */
function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([
    promise.then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms)),
  ]);
}

/** The next available presence from `jid` (compared as a full JID when it has a resource). */
function availableFrom(client: Client, jid: string, ms: number): Promise<InboundPresence> {
  return nextEvent<InboundPresence>(
    client,
    "presence",
    (p) => (jid.includes("/") ? p.from.full : p.from.bare) === jid && p.type === "available",
    ms,
  );
}

/**
 * Sends `backlog <n>` messages while offline until one is refused; returns that refusal.
 * A send is queued once `stats.queued` grows (it passes the outbound stages asynchronously).
 */
async function fillQueue(
  bot: Client,
  to: string,
  queued: Promise<{ id: string }>[],
): Promise<unknown> {
  // Most of the queue in one go, then one at a time near the limit.
  const bulk = QUEUE_SIZE - bot.stats.queued - 5;
  for (let i = 0; i < bulk; i++) queued.push(bot.send({ to, body: `backlog ${queued.length}` }));
  for (const send of queued) send.catch(() => {});
  await until(() => bot.stats.queued >= QUEUE_SIZE - 5, 5_000, "the bulk of the backlog queued");
  for (let extra = 0; extra < 50; extra++) {
    const before = bot.stats.queued;
    const send = bot.send({ to, body: `backlog ${queued.length}` });
    const outcome = await Promise.race([
      send.then(
        () => "sent",
        (error: unknown) => error,
      ),
      until(() => bot.stats.queued > before, 5_000, "a queued send").then(
        () => "queued",
        () => "neither queued nor refused",
      ),
    ]);
    if (outcome !== "queued") return outcome;
    send.catch(() => {});
    queued.push(send);
  }
  return "never refused";
}

describe("a full outbound queue at reconnect", () => {
  it("still yields presence, carbons, catch-up, and delivers every queued message once", async () => {
    const alice = make("alice");
    const bot = make("bot", { queueSize: QUEUE_SIZE, archive: { catchUp: true } });
    const botPhone = make("bot");
    const botJid = bot.account.bare;
    const aliceJid = alice.account.bare;
    await Promise.all([alice.start(), bot.start(), botPhone.start()]);

    // alice ⇄ bot mutual subscription, so alice is told whenever the bot becomes available.
    const seenAvailable = availableFrom(alice, botJid, 10_000);
    bot.on("subscription", ({ from }) => {
      bot.approveSubscription(from.bare).catch(() => {});
    });
    alice.on("subscription", ({ from }) => {
      alice.approveSubscription(from.bare).catch(() => {});
    });
    await alice.sendPresence({ type: "subscribe", to: botJid });
    await seenAvailable;

    const offline = nextEvent(bot, "offline");
    await suite.server.kill();
    await offline;
    // Top up to exactly queueSize: what the dead connection left unconfirmed may count too,
    // so sends go in until the first one is refused with queue-full.
    const queued: Promise<{ id: string }>[] = [];
    const refused = await fillQueue(bot, aliceJid, queued);
    expect(ClawXmppError.isInstance(refused) && refused.code).toBe("queue-full");
    // The app's queue is full (the refusal says so); the count may include setup stanzas too.
    expect(bot.stats.queued).toBeGreaterThanOrEqual(QUEUE_SIZE);
    const count = queued.length;

    const atAlice: string[] = [];
    alice.on("message", (m: InboundMessage) => {
      if (m.from.bare === botJid && m.body?.startsWith("backlog ")) atAlice.push(m.body);
    });
    // This resource's presence, not the other one's (it comes back too).
    const presence = availableFrom(alice, bot.jid?.full ?? "", 30_000);
    const phoneBack = availableFrom(alice, botPhone.jid?.full ?? "", 30_000);
    const caughtUp = nextEvent(bot, "caughtUp", () => true, 30_000);
    const backOnline = nextEvent(bot, "online", () => true, 30_000);
    await suite.server.restart();
    await backOnline;
    // The other resource must be available, or a message to it goes to the bare JID instead.
    await phoneBack;
    // Once the server confirmed the whole backlog it has also handled what session setup sent
    // (before the backlog, or never): carbons and presence can be checked without a race.
    const allAcked = await within(Promise.all(queued), 20_000);

    // Carbons: a message to the bot's other resource reaches this one as a carbon only if enabled.
    const carbon = nextEvent<InboundMessage>(
      bot,
      "message",
      (m) => m.body === "to the phone" && m.via === "carbon",
      5_000,
    );
    await alice.send({ to: botPhone.jid?.full ?? "", body: "to the phone" });
    // Presence: a DM to the bare JID reaches an available resource live, not offline storage.
    const live = nextEvent<InboundMessage>(
      bot,
      "message",
      (m) => m.body === "to the bare JID",
      5_000,
    );
    await alice.send({ to: botJid, body: "to the bare JID" });

    const [sawPresence, sawCatchUp, sawCarbon, sawLiveDm] = await Promise.all([
      within(presence, 5_000),
      within(caughtUp, 5_000),
      within(carbon, 5_000),
      within(live, 5_000),
    ]);
    await until(() => atAlice.length >= count, 20_000, "every queued message").catch(() => {});
    const outcomes = await Promise.all(
      queued.map((send) =>
        Promise.race([
          send.then(
            () => "acked",
            (error: Error) => `rejected: ${error.message}`,
          ),
          new Promise<string>((resolve) => setTimeout(() => resolve("pending"), 100)),
        ]),
      ),
    );
    const notAcked = outcomes
      .map((outcome, i) => `backlog ${i}: ${outcome}`)
      .filter((line) => !line.endsWith(": acked"));
    const missing = Array.from({ length: count }, (_, i) => `backlog ${i}`).filter(
      (body) => !atAlice.includes(body),
    );
    const figures = {
      presenceSeenByContact: sawPresence,
      archiveCatchUpRan: sawCatchUp,
      carbonsEnabled: sawCarbon,
      bareJidDmLive: sawLiveDm,
      queuedSendsAcked: allAcked,
      queuedDelivered: new Set(atAlice).size,
      queuedDuplicated: atAlice.length - new Set(atAlice).size,
      notAcked: notAcked.slice(0, 5),
      missingAtContact: missing.slice(0, 5),
    };
    process.stdout.write(
      `backlog of ${QUEUE_SIZE} at reconnect (${count} messages): ${JSON.stringify(figures)}\n`,
    );
    expect(figures).toEqual({
      presenceSeenByContact: true,
      archiveCatchUpRan: true,
      carbonsEnabled: true,
      bareJidDmLive: true,
      queuedSendsAcked: true,
      queuedDelivered: count,
      queuedDuplicated: 0,
      notAcked: [],
      missingAtContact: [],
    });
  }, 120_000);
});
