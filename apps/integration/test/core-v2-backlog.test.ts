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
    const queued = Array.from({ length: QUEUE_SIZE }, (_, i) =>
      bot.send({ to: aliceJid, body: `backlog ${i}` }),
    );
    for (const send of queued) send.catch(() => {});
    // send() passes the outbound stages asynchronously before it reaches the queue.
    await until(() => bot.stats.queued >= QUEUE_SIZE, 5_000, "the queue to fill");
    expect(bot.stats.queued).toBe(QUEUE_SIZE);
    const overflow = await bot.send({ to: aliceJid, body: "one too many" }).catch((e) => e);
    expect(ClawXmppError.isInstance(overflow) && overflow.code).toBe("queue-full");

    const atAlice: string[] = [];
    alice.on("message", (m: InboundMessage) => {
      if (m.from.bare === botJid && m.body?.startsWith("backlog ")) atAlice.push(m.body);
    });
    // This resource's presence, not the other one's (it comes back too).
    const presence = availableFrom(alice, bot.jid?.full ?? "", 30_000);
    const caughtUp = nextEvent(bot, "caughtUp", () => true, 30_000);
    const backOnline = nextEvent(bot, "online", () => true, 30_000);
    await suite.server.restart();
    await backOnline;
    await until(
      () => alice.status === "online" && botPhone.status === "online",
      30_000,
      "alice and the bot's second resource online",
    );

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

    const [sawPresence, sawCatchUp, sawCarbon, sawLiveDm, allAcked] = await Promise.all([
      within(presence, 5_000),
      within(caughtUp, 5_000),
      within(carbon, 5_000),
      within(live, 5_000),
      within(Promise.all(queued), 20_000),
    ]);
    await until(() => atAlice.length >= QUEUE_SIZE, 20_000, "every queued message").catch(() => {});
    const figures = {
      presenceSeenByContact: sawPresence,
      archiveCatchUpRan: sawCatchUp,
      carbonsEnabled: sawCarbon,
      bareJidDmLive: sawLiveDm,
      queuedSendsAcked: allAcked,
      queuedDelivered: new Set(atAlice).size,
      queuedDuplicated: atAlice.length - new Set(atAlice).size,
    };
    process.stdout.write(`backlog of ${QUEUE_SIZE} at reconnect: ${JSON.stringify(figures)}\n`);
    expect(figures).toEqual({
      presenceSeenByContact: true,
      archiveCatchUpRan: true,
      carbonsEnabled: true,
      bareJidDmLive: true,
      queuedSendsAcked: true,
      queuedDelivered: QUEUE_SIZE,
      queuedDuplicated: 0,
    });
  }, 120_000);
});
