/**
 * The OpenClaw channel's `avatar` key against each server of the matrix, driving
 * the channel's gateway code (`startXmppAccount`) directly, without OpenClaw: on
 * start the bot's avatar is published and a contact sees it by XEP-0084
 * (notification, fetch) and XEP-0153 (vCard photo, presence hash); a restart with
 * the same file asks and sends nothing but the presence hash (the id is kept in
 * the account's state directory); a changed file is published again; a file that
 * is not an image is reported and the account still comes online.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, type InboundPresence, xml } from "@clawxmpp/core";
import {
  type ChannelAccountSnapshot,
  parseXmppChannelConfig,
  resolveXmppAccount,
  startXmppAccount,
} from "@clawxmpp/openclaw-channel";
import { type ProfileEvents, type ProfileHandle, profile } from "@clawxmpp/profile";
import { pubsub } from "@clawxmpp/pubsub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, serverKinds, startServer, type XmppServer } from "../src/index.js";
import { nextEvent, until } from "./helpers.js";
import { realPng } from "./images.js";
import { befriend, firstMatching } from "./pep-helpers.js";

const NS_VCARD_UPDATE = "vcard-temp:x:update";
const sha1 = (bytes: Uint8Array) => createHash("sha1").update(bytes).digest("hex");

describe.each(serverKinds())("the channel's avatar on %s", (kind) => {
  let server: XmppServer;
  let dir: string;
  let alice: Client;
  let aliceProfile: ProfileHandle;
  const avatarPath = () => join(dir, "avatar.png");
  const stateDir = () => join(dir, "state");

  /** Runs the bot's channel account until the returned `stop`; its log lines are collected. */
  async function runAccount() {
    const controller = new AbortController();
    const logs: string[] = [];
    let snapshot: ChannelAccountSnapshot = { accountId: "default" };
    const raw = {
      jid: server.accounts.bot!.jid,
      password: server.accounts.bot!.password,
      server: server.host,
      port: server.c2sPort,
      tls: { ca: server.caCert },
      avatar: avatarPath(),
    };
    const log = (level: string) => (line: string) => logs.push(`${level} ${line}`);
    const running = startXmppAccount(
      {
        cfg: { channels: { xmpp: raw } },
        accountId: "default",
        account: resolveXmppAccount(parseXmppChannelConfig(raw), "default"),
        runtime: {},
        abortSignal: controller.signal,
        log: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
        getStatus: () => snapshot,
        setStatus: (next) => {
          snapshot = next;
        },
      },
      { sdk: null, stateDir: stateDir(), clientOptions: { archive: { catchUp: false } } },
    );
    await until(() => snapshot.lifecycle === "ready", 20_000, "the bot online");
    return {
      logs,
      /** Resolves once the avatar step logged a line matching `pattern`. */
      logged: (pattern: RegExp) =>
        until(() => logs.some((l) => pattern.test(l)), 10_000, `a log line ${pattern}`),
      async stop() {
        controller.abort();
        await running;
      },
    };
  }

  function avatarEvent(match: (e: ProfileEvents["avatar"][0]) => boolean) {
    return firstMatching(
      (listener: (e: ProfileEvents["avatar"][0]) => void) => aliceProfile.on("avatar", listener),
      match,
      "avatar event",
      20_000,
    );
  }

  /** The next presence from the bot carrying `hash` as its XEP-0153 photo. */
  const presenceWithPhoto = (hash: string) =>
    nextEvent<InboundPresence>(
      alice,
      "presence",
      (p) =>
        p.from.bare === server.accounts.bot!.jid &&
        p.type === "available" &&
        p.stanza.getChild("x", NS_VCARD_UPDATE)?.getChildText("photo") === hash,
      20_000,
    );

  beforeAll(async () => {
    server = await startServer({ kind });
    dir = mkdtempSync(join(tmpdir(), "clawxmpp-channel-avatar-"));
    alice = clientFor(server, "alice");
    alice.use(pubsub, {});
    aliceProfile = alice.use(profile, { watch: ["avatar"] });
    await alice.start();
    // A mutual subscription, so alice gets the bot's presence and PEP notifications.
    const bot = clientFor(server, "bot");
    await bot.start();
    await befriend(bot, alice);
    await bot.stop();
  }, 60_000);

  afterAll(async () => {
    await alice?.stop();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const first = realPng(20, 12);
  const firstId = sha1(first);

  it("is published on start and seen by XEP-0084 and XEP-0153", async () => {
    writeFileSync(avatarPath(), first);
    const notified = avatarEvent((e) => e.source === "pep" && e.info?.width === 20);
    const photo = presenceWithPhoto(firstId);
    const account = await runAccount();
    try {
      await account.logged(/avatar published/u);
      const bot = server.accounts.bot!.jid;
      expect(await notified).toMatchObject({ jid: bot, id: firstId, info: { height: 12 } });
      await photo;
      const fetched = await aliceProfile.fetchAvatar(bot);
      expect(fetched).toMatchObject({ id: firstId, source: "pep", width: 20, height: 12 });
      const card = await alice.iq.get(xml("vCard", { xmlns: "vcard-temp" }), bot);
      const binval = card
        .getChild("vCard", "vcard-temp")
        ?.getChild("PHOTO")
        ?.getChildText("BINVAL");
      expect(sha1(new Uint8Array(Buffer.from(binval ?? "", "base64")))).toBe(firstId);
      const state = JSON.parse(
        readFileSync(join(stateDir(), "plugins", "xmpp", "default", "avatar.json"), "utf8"),
      ) as { id: string };
      expect(state.id).toBe(firstId);
    } finally {
      await account.stop();
    }
  });

  it("is not published again after a restart with the same file; the hash stays in presence", async () => {
    const photo = presenceWithPhoto(firstId);
    const account = await runAccount();
    try {
      await photo;
      await account.logged(/avatar unchanged/u);
      expect(account.logs.filter((l) => /avatar published/u.test(l))).toEqual([]);
    } finally {
      await account.stop();
    }
  });

  it("is published again when the file changed", async () => {
    const second = realPng(16, 16);
    const secondId = sha1(second);
    writeFileSync(avatarPath(), second);
    const notified = avatarEvent((e) => e.source === "pep" && e.info?.width === 16);
    const photo = presenceWithPhoto(secondId);
    const account = await runAccount();
    try {
      await account.logged(/avatar published/u);
      expect(await notified).toMatchObject({ id: secondId, info: { height: 16 } });
      await photo;
      expect((await aliceProfile.fetchAvatar(server.accounts.bot!.jid))?.id).toBe(secondId);
    } finally {
      await account.stop();
    }
  });

  it("a file that is not a PNG/JPEG is reported; the account stays online", async () => {
    writeFileSync(avatarPath(), "<svg/>");
    const account = await runAccount();
    try {
      await account.logged(/warn .*avatar .* not published.*PNG and JPEG/u);
      expect(account.logs.some((l) => /^error /u.test(l))).toBe(false);
    } finally {
      await account.stop();
    }
  });
});
