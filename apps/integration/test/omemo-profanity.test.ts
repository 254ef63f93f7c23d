/**
 * The `omemo` plugin against profanity (Debian's build with OMEMO, driven in
 * tmux) over a real Prosody 0.12, 1:1 both ways: profanity starts OMEMO with
 * the bot and sends, the bot reads it decrypted and answers encrypted, and
 * profanity shows the answer decrypted. Skipped without profanity and tmux.
 */
import type { InboundMessage } from "@clawxmpp/core";
import { buildDeviceList, NODE_DEVICE_LIST } from "@clawxmpp/omemo";
import { pubsub } from "@clawxmpp/pubsub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, type ProsodyInstance, startProsody } from "../src/index.js";
import { nextEvent } from "./helpers.js";
import { type OmemoAccount, omemoAccount } from "./omemo-helpers.js";
import { hasProfanity, type Profanity, startProfanity } from "./profanity.js";

let server: ProsodyInstance;
let bot: OmemoAccount;
let profanity: Profanity;
const jidOf = (user: string) => server.accounts[user]?.jid as string;

describe.skipIf(!hasProfanity())("OMEMO plugin with profanity", () => {
  beforeAll(async () => {
    server = await startProsody({ accounts: { bot: "bot", carol: "carol" } });
    bot = await omemoAccount(server, "bot");
    // profanity 0.13 adds its device to an existing device list but never creates the node: give
    // carol's account an empty list first, as any earlier OMEMO client of hers would have left.
    const setup = clientFor(server, "carol");
    const ps = setup.use(pubsub, {});
    await setup.start();
    await ps.publish(NODE_DEVICE_LIST, buildDeviceList([]), {
      id: "current",
      options: { access_model: "open" },
    });
    await setup.stop();
    profanity = await startProfanity(jidOf("carol"), "carol", server.c2sPort);
  }, 60_000);

  afterAll(async () => {
    await profanity?.stop();
    await bot?.client.stop();
    await server?.stop();
  });

  it("profanity starts OMEMO and writes; the bot reads it decrypted and answers encrypted", async () => {
    await profanity.type("/omemo trustmode blind");
    await profanity.type("/omemo gen");
    await profanity.waitFor(/OMEMO crytographic materials generated/iu, 30_000);
    await profanity.type(`/msg ${jidOf("bot")}`);
    await profanity.type("/omemo start");
    await profanity.waitFor(/\[OMEMO\]/u);
    // profanity fetches the bot's device list and bundle in the background; it shows the bot's
    // fingerprint (as 8 dash-separated groups) once it has them: the same fingerprint as ours.
    const { display } = await bot.om.identity();
    const shown = new RegExp(
      `bot@localhost's OMEMO fingerprint: ${display.replaceAll(" ", "-")}`,
      "u",
    );
    for (let tries = 0; !shown.test(await profanity.screen()); tries++) {
      if (tries > 50)
        throw new Error(`profanity never learnt the bot's bundle:\n${await profanity.screen()}`);
      await profanity.type("/omemo fingerprint");
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const got = nextEvent<InboundMessage>(
      bot.client,
      "message",
      (m) => m.body === "hello bot from profanity",
      20_000,
    );
    await profanity.type("hello bot from profanity");
    const message = await got;
    expect(message.omemo).toMatchObject({ jid: jidOf("carol"), encrypted: true, prekey: true });

    // The bot learns carol's device from her list (open, see beforeAll) and answers encrypted.
    await bot.om.sendEncrypted(jidOf("carol"), "hello profanity, from the bot");
    // profanity marks what it decrypted with its OMEMO indicator (a "~" before the sender).
    const screen = await profanity.waitFor(/bot@localhost\/\S+: hello profanity, from the bot/u);
    expect(screen).toMatch(/~ bot@localhost\/\S+: hello profanity, from the bot/u);
  }, 60_000);
});
