/**
 * The `omemo` plugin against python-omemo (Debian's python3-omemo,
 * python3-oldmemo, python3-slixmpp; test/peers/oldmemo-peer.py) over a real
 * Prosody 0.12, through the plugin's stages only: the bot starts a session
 * and the peer starts one, an encrypted file (XEP-0454) each way through
 * `@clawxmpp/upload`, and a non-anonymous room. Skipped without the python stack.
 */
import { createHash, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { InboundMessage } from "@clawxmpp/core";
import { aesgcmCipher, type UploadHandle, upload } from "@clawxmpp/upload";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProsodyInstance, startProsody } from "../src/index.js";
import { nextEvent } from "./helpers.js";
import { type OmemoAccount, omemoAccount } from "./omemo-helpers.js";
import { hasPythonOmemo, type Peer, startPeer } from "./peers/oldmemo-peer.js";

let server: ProsodyInstance;
let caFile: string;
let bot: OmemoAccount;
let files: UploadHandle;
const peers: Peer[] = [];
const jidOf = (user: string) => server.accounts[user]?.jid as string;

function peer(user: string, extra: string[] = []): Peer {
  const started = startPeer(server, caFile, user, extra);
  peers.push(started);
  return started;
}

function encryptedFrom(jid: string, match: (m: InboundMessage) => boolean = () => true) {
  return nextEvent<InboundMessage>(
    bot.client,
    "message",
    (m) => m.omemo?.jid === jid && match(m),
    30_000,
  );
}

describe.skipIf(!hasPythonOmemo())("OMEMO plugin with python-omemo (oldmemo)", () => {
  beforeAll(async () => {
    server = await startProsody({
      accounts: { bot: "bot", py1: "py1", py2: "py2", py3: "py3", py4: "py4" },
    });
    caFile = join(server.dir, "omemo-ca.pem");
    await writeFile(caFile, server.caCert);
    bot = await omemoAccount(server, "bot", {}, (client) => {
      // The fixture serves uploads over http://localhost.
      files = client.use(upload, { allowInsecureHttp: true, allowPrivateAddresses: true });
    });
  }, 60_000);

  afterAll(async () => {
    for (const p of peers) p.process.kill("SIGTERM");
    await bot?.client.stop();
    await server?.stop();
  });

  it("the bot starts the session: the peer reads it, and its encrypted echo reaches the bot decrypted", async () => {
    const py = peer("py1");
    const [, id, fingerprint] = (await py.line("READY")).split(" ");
    const echo = encryptedFrom(jidOf("py1"));
    await bot.om.sendEncrypted(jidOf("py1"), "hello python, from the plugin ✓");
    const { deviceId } = await bot.om.identity();
    expect(await py.line("RECV")).toBe(
      `RECV ${jidOf("bot")} ${deviceId} hello python, from the plugin ✓`,
    );
    const answer = await echo;
    expect(answer.body).toBe("echo: hello python, from the plugin ✓");
    expect(answer.omemo).toMatchObject({ deviceId: Number(id), fingerprint, prekey: false });
  });

  it("the peer starts the session: the bot decrypts its PreKey message and answers encrypted", async () => {
    const incoming = encryptedFrom(jidOf("py2"));
    const py = peer("py2", ["--send", jidOf("bot"), "hi bot, from python", "--wait", "30"]);
    const message = await incoming;
    expect(message.body).toBe("hi bot, from python");
    expect(message.omemo?.prekey).toBe(true);
    const [, id] = (await py.line("READY")).split(" ");
    expect(message.omemo?.deviceId).toBe(Number(id));
    await bot.om.sendEncrypted(jidOf("py2"), "hi python");
    const { deviceId } = await bot.om.identity();
    expect(await py.line("RECV")).toBe(`RECV ${jidOf("bot")} ${deviceId} hi python`);
  });

  it("encrypted files both ways: upload's sendFile shares an aesgcm:// link only through OMEMO", async () => {
    const sha = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");
    const py = peer("py3", ["--download-scheme", "http"]);
    await py.line("READY");
    const original = new Uint8Array(randomBytes(40_000));
    const echo = encryptedFrom(jidOf("py3"), (m) => m.body?.startsWith("aesgcm://") === true);
    // No omemo flag: the link's key must never leave in the clear, so the plugin encrypts it.
    await files.sendFile(jidOf("py3"), original, { name: "photo.bin", encrypted: true });
    expect(await py.line("FILE")).toBe(`FILE ${jidOf("bot")} ${sha(original)} ${original.length}`);

    const link = new URL((await echo).body as string);
    // upload's download() wants https for aesgcm://; the fixture serves http, so fetch directly.
    const response = await fetch(`http://${link.host}${link.pathname}`);
    const plain = await aesgcmCipher().decrypt(link, response.body as ReadableStream<Uint8Array>);
    expect(sha(plain as Uint8Array)).toBe(sha(original));
  });

  it("in a non-anonymous room: encrypted for the occupants' real JIDs, both ways", async () => {
    const room = `omemo@${server.mucDomain}`;
    const py = peer("py4", ["--room", room, "--configure-room"]);
    await py.line("READY");
    await py.line("JOINED");
    await bot.rooms.join(room);
    const echo = encryptedFrom(jidOf("py4"), (m) => m.muc?.room === room);
    await bot.om.sendEncrypted(room, "hello room", { type: "groupchat" });
    const { deviceId } = await bot.om.identity();
    expect(await py.line("RECV")).toBe(`RECV ${jidOf("bot")} ${deviceId} hello room`);
    const answer = await echo;
    expect(answer.body).toBe("echo: hello room");
    expect(answer.muc?.realJid).toBe(jidOf("py4"));
  });
});
