/**
 * Issue #18 on the real server, what plugins do in their stages (with the test
 * plugin in `stage-probe.ts`):
 * - defect 5: a `decrypt` handler that awaits an IQ completes instead of timing out;
 * - defect 6: a `decrypt` handler that replaces the stanza keeps its origin: a sent
 *   carbon stays `via: "carbon", outgoing: true`, a received one `via: "carbon"`,
 *   an archived message `via: "archive"` with the archive's delay and id;
 * - defect 9: `send()` returns the id of the stanza the outbound stages produced.
 */
import { type Client, type InboundMessage, memoryCursor } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { nextEvent } from "./helpers.js";
import { prosodySuite } from "./prosody-suite.js";
import { IQ_IN_DECRYPT, REWRITE_ID, SWAP, stageProbe } from "./stage-probe.js";

const suite = prosodySuite();
const make = suite.make;

function messageWithBody(client: Client, body: string, ms = 10_000): Promise<InboundMessage> {
  return nextEvent<InboundMessage>(client, "message", (m) => m.body === body, ms);
}

describe("decrypt stage awaiting an IQ", () => {
  it("gets its answer and the message is emitted", async () => {
    const alice = make("alice");
    const bot = make("bot");
    await Promise.all([alice.start(), bot.start()]);
    const probe = bot.use(stageProbe, { iqTimeout: 5_000 });
    const body = `${IQ_IN_DECRYPT}1`;
    const arrived = messageWithBody(bot, body);
    const sentAt = performance.now();
    await alice.send({ to: bot.account.bare, body });
    await arrived.catch(() => {});
    const ms = Math.round(performance.now() - sentAt);
    process.stdout.write(`IQ inside decrypt: "${probe.iqInDecrypt.get(body)}" after ${ms} ms\n`);
    expect(probe.iqInDecrypt.get(body)).toBe("ok");
    await expect(arrived).resolves.toMatchObject({ body });
    await Promise.all([alice.stop(), bot.stop()]);
  });
});

describe("a decrypt stage that replaces the stanza", () => {
  it("keeps carbon and archive origin", async () => {
    const cursor = memoryCursor();
    const alice = make("alice");
    const bot = make("bot", { archive: { catchUp: true, cursor } });
    const botPhone = make("bot");
    await Promise.all([alice.start(), bot.start(), botPhone.start()]);
    const probe = bot.use(stageProbe, { iqTimeout: 5_000 });

    const sentCarbon = messageWithBody(bot, `${SWAP}sent carbon`);
    await botPhone.send({ to: alice.account.bare, body: `${SWAP}sent carbon` });
    const receivedCarbon = messageWithBody(bot, `${SWAP}received carbon`);
    await alice.send({ to: botPhone.jid?.full ?? "", body: `${SWAP}received carbon` });
    const sent = await sentCarbon;
    const received = await receivedCarbon;
    expect(probe.swapped).toEqual([`${SWAP}sent carbon`, `${SWAP}received carbon`]);
    await bot.stop();

    // While this resource is away the other one gets the message live; the archive keeps it.
    const body = `${SWAP}archived`;
    const atPhone = messageWithBody(botPhone, body);
    const sentAt = Date.now();
    await alice.send({ to: bot.account.bare, body });
    await atPhone;
    const again = make("bot", { archive: { catchUp: true, cursor } });
    const probeAgain = again.use(stageProbe, { iqTimeout: 5_000 });
    const archived = messageWithBody(again, body);
    await again.start();
    const fromArchive = await archived;
    expect(probeAgain.swapped).toContain(body);

    const origin = (m: InboundMessage) => ({
      via: m.via,
      outgoing: m.outgoing,
      delay: m.delay?.stamp.toISOString(),
      archiveId: m.stanzaIds[again.account.bare],
    });
    process.stdout.write(
      `origin after a swap: sent carbon ${JSON.stringify(origin(sent))}, received carbon ${JSON.stringify(origin(received))}, archived ${JSON.stringify(origin(fromArchive))}\n`,
    );
    expect(sent).toMatchObject({ via: "carbon", outgoing: true });
    expect(received).toMatchObject({ via: "carbon", outgoing: false });
    expect(fromArchive).toMatchObject({ via: "archive", outgoing: false });
    expect(fromArchive.stanzaIds[again.account.bare]).toBeDefined();
    expect(fromArchive.delay).toBeDefined();
    expect(Math.abs((fromArchive.delay?.stamp.getTime() ?? 0) - sentAt)).toBeLessThan(5_000);
    await Promise.all([alice.stop(), botPhone.stop(), again.stop()]);
  });
});

describe("send() after the outbound stages replaced the stanza", () => {
  it("returns the id that went on the wire", async () => {
    const alice = make("alice");
    const bot = make("bot");
    await Promise.all([alice.start(), bot.start()]);
    const probe = bot.use(stageProbe, { iqTimeout: 5_000 });
    const body = `${REWRITE_ID}1`;
    const arrived = messageWithBody(alice, body);
    const { id } = await bot.send({ to: alice.account.bare, body });
    const onTheWire = (await arrived).id;
    process.stdout.write(
      `send() returned ${id}; the stage set ${probe.rewrittenIds[0]}; alice got ${onTheWire}\n`,
    );
    expect(probe.rewrittenIds).toHaveLength(1);
    expect(onTheWire).toBe(probe.rewrittenIds[0]);
    expect(id).toBe(onTheWire);
    await Promise.all([alice.stop(), bot.stop()]);
  });
});
