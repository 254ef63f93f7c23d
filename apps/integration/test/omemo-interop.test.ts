/**
 * `@clawxmpp/omemo` against an independent implementation over a real
 * Prosody 0.12: the python-omemo stack from Debian (python3-omemo,
 * python3-oldmemo, python3-slixmpp) driven by test/peers/oldmemo-peer.py.
 * The plugin is not wired yet, so this test does by hand what it will do:
 * publish our device list and bundle on PEP (access_model=open), fetch the
 * peer's, build a session, send and receive `<encrypted>` messages.
 *
 * Both directions: we start the session (our PreKey message, the peer's
 * answer on it) and the peer starts it (its PreKey message, our answer);
 * XEP-0454 files both ways with `@clawxmpp/upload`'s aesgcmCipher; a
 * non-anonymous room (`@clawxmpp/muc`), encrypted for occupants' real JIDs.
 * Skipped when Debian's python3-omemo stack is not installed.
 */
import { createHash, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Client, type InboundMessage, xml } from "@clawxmpp/core";
import { type MucHandle, muc } from "@clawxmpp/muc";
import {
  buildBundle,
  buildDeviceList,
  bundleNode,
  ensureOwnDevice,
  findEncrypted,
  fingerprintHex,
  MemoryOmemoStore,
  NODE_DEVICE_LIST,
  OmemoSessions,
  omemoHints,
  ownBundle,
  parseBundle,
  parseDeviceList,
  parseEncrypted,
} from "@clawxmpp/omemo";
import { type PubsubHandle, pubsub } from "@clawxmpp/pubsub";
import { aesgcmCipher, type UploadHandle, upload } from "@clawxmpp/upload";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, type ProsodyInstance, startProsody } from "../src/index.js";
import { nextEvent } from "./helpers.js";
import { hasPythonOmemo, type Peer, startPeer } from "./peers/oldmemo-peer.js";

let server: ProsodyInstance;
let caFile: string;
let client: Client;
let ps: PubsubHandle;
let files: UploadHandle;
let rooms: MucHandle;
let sessions: OmemoSessions;
const store = new MemoryOmemoStore();
const peers: Peer[] = [];
const OPEN = { access_model: "open" };

async function fetchPeerDevice(jid: string, deviceId: number) {
  const [list] = await ps.items(NODE_DEVICE_LIST, { service: jid, max: 1 });
  expect(parseDeviceList(list?.payload as never).map((d) => d.id)).toContain(deviceId);
  const [bundleItem] = await ps.items(bundleNode(deviceId), { service: jid, max: 1 });
  return parseBundle(bundleItem?.payload as never);
}

function nextEncrypted(from: string): Promise<InboundMessage> {
  return nextEvent<InboundMessage>(
    client,
    "message",
    (m) => m.from.bare === from && findEncrypted(m.stanza) !== undefined,
    30_000,
  );
}

async function sendEncrypted(to: string, deviceId: number, text: string) {
  const { element, skipped } = await sessions.encrypt([{ jid: to, deviceId }], text);
  expect(skipped).toEqual([]);
  await client.sendStanza(xml("message", { to, type: "chat" }, element, ...omemoHints()));
}

describe.skipIf(!hasPythonOmemo())("OMEMO interop with python-omemo (oldmemo)", () => {
  beforeAll(async () => {
    server = await startProsody({
      accounts: { bot: "bot", py1: "py1", py2: "py2", py3: "py3", py4: "py4" },
    });
    caFile = join(server.dir, "omemo-ca.pem");
    await writeFile(caFile, server.caCert);
    client = clientFor(server, "bot");
    rooms = client.use(muc, { nickname: "bot" });
    ps = client.use(pubsub, {});
    // The fixture serves uploads over http://localhost.
    files = client.use(upload, { allowInsecureHttp: true, allowPrivateAddresses: true });
    await client.start();
    const own = await ensureOwnDevice(store);
    sessions = await OmemoSessions.open(store);
    await ps.publish(NODE_DEVICE_LIST, buildDeviceList([own.deviceId]), {
      id: "current",
      options: OPEN,
    });
    await ps.publish(bundleNode(own.deviceId), buildBundle(await ownBundle(store)), {
      id: "current",
      options: OPEN,
    });
  }, 60_000);

  afterAll(async () => {
    for (const peer of peers) peer.process.kill("SIGTERM");
    await client?.stop();
    await server?.stop();
  });

  it("we start the session: the peer decrypts our PreKey message and its echo decrypts here", async () => {
    const peer = startPeer(server, caFile, "py1");
    peers.push(peer);
    const [, id, fingerprint] = (await peer.line("READY")).split(" ");
    const peerJid = server.accounts.py1?.jid as string;
    const bundle = await fetchPeerDevice(peerJid, Number(id));
    // The fingerprint we compute is the one python-omemo shows.
    expect(fingerprintHex(bundle.identityKey)).toBe(fingerprint);
    await sessions.buildSession({ jid: peerJid, deviceId: Number(id) }, bundle);

    const echo = nextEncrypted(peerJid);
    await sendEncrypted(peerJid, Number(id), "hello python, from clawxmpp ✓");
    expect(await peer.line("RECV")).toBe(
      `RECV bot@localhost ${sessions.own.deviceId} hello python, from clawxmpp ✓`,
    );
    const answer = await echo;
    const got = await sessions.decrypt(
      peerJid,
      parseEncrypted(findEncrypted(answer.stanza) as never),
    );
    expect(got.plaintext).toBe("echo: hello python, from clawxmpp ✓");
    expect(got.prekey).toBe(false);

    // A second round on the established session.
    const echo2 = nextEncrypted(peerJid);
    await sendEncrypted(peerJid, Number(id), "second");
    const got2 = await sessions.decrypt(
      peerJid,
      parseEncrypted(findEncrypted((await echo2).stanza) as never),
    );
    expect(got2.plaintext).toBe("echo: second");
  }, 90_000);

  it("the peer starts the session: we decrypt its PreKey message and it decrypts our answer", async () => {
    const botJid = client.account.bare;
    const peerJid = server.accounts.py2?.jid as string;
    const incoming = nextEncrypted(peerJid);
    const peer = startPeer(server, caFile, "py2", [
      "--send",
      botJid,
      "hi bot, from python",
      "--wait",
      "30",
    ]);
    peers.push(peer);
    const message = parseEncrypted(findEncrypted((await incoming).stanza) as never);
    const got = await sessions.decrypt(peerJid, message);
    expect(got).toMatchObject({ plaintext: "hi bot, from python", prekey: true });
    const [, id, fingerprint] = (await peer.line("READY")).split(" ");
    expect(got.sender.deviceId).toBe(Number(id));
    expect(fingerprintHex(got.identityKey)).toBe(fingerprint);
    // The one-time prekey the peer used is gone from our bundle.
    expect((await ownBundle(store)).preKeys.map((k) => k.id)).not.toContain(got.preKeyId);

    await sendEncrypted(peerJid, Number(id), "hi python");
    expect(await peer.line("RECV")).toBe(`RECV bot@localhost ${sessions.own.deviceId} hi python`);
  }, 90_000);

  it("encrypted files (XEP-0454 aesgcm://) both ways with upload's cipher", async () => {
    const sha = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");
    const peer = startPeer(server, caFile, "py3", ["--download-scheme", "http"]);
    peers.push(peer);
    const [, id] = (await peer.line("READY")).split(" ");
    const peerJid = server.accounts.py3?.jid as string;
    await sessions.buildSession(
      { jid: peerJid, deviceId: Number(id) },
      await fetchPeerDevice(peerJid, Number(id)),
    );

    // Out: encrypted with upload's aesgcmCipher, uploaded, the link sent through OMEMO.
    const cipher = aesgcmCipher();
    const original = new Uint8Array(randomBytes(50_000));
    const media = await cipher.encrypt(original);
    const uploaded = await files.upload(media.data, {
      name: "photo.bin",
      contentType: "application/octet-stream",
    });
    const slot = new URL(uploaded.url);
    const echo = nextEncrypted(peerJid);
    await sendEncrypted(
      peerJid,
      Number(id),
      `aesgcm://${slot.host}${slot.pathname}#${media.fragment}`,
    );
    expect(await peer.line("FILE")).toBe(`FILE bot@localhost ${sha(original)} ${original.length}`);

    // In: the peer uploaded the same bytes under a new key; we decrypt its link.
    const link = (
      await sessions.decrypt(peerJid, parseEncrypted(findEncrypted((await echo).stanza) as never))
    ).plaintext as string;
    expect(link).toMatch(/^aesgcm:\/\/localhost:\d+\/.+#[0-9a-f]{88}$/);
    const aesgcm = new URL(link);
    // upload's download() fetches aesgcm:// over https only; the fixture serves http, so fetch directly.
    const response = await fetch(`http://${aesgcm.host}${aesgcm.pathname}`);
    const plain = await cipher.decrypt(aesgcm, response.body as ReadableStream<Uint8Array>);
    expect(sha(plain as Uint8Array)).toBe(sha(original));
  }, 90_000);

  it("in a non-anonymous room: encrypted for the real JIDs of the occupants, both ways", async () => {
    const room = `omemo@${server.mucDomain}`;
    const peerJid = server.accounts.py4?.jid as string;
    // The peer creates the room and makes it non-anonymous before we join.
    const peer = startPeer(server, caFile, "py4", ["--room", room, "--configure-room"]);
    peers.push(peer);
    const [, id] = (await peer.line("READY")).split(" ");
    await peer.line("JOINED");
    await rooms.join(room);
    const occupant = rooms.occupants(room).find((o) => o.jid === peerJid);
    expect(occupant).toBeDefined();
    await sessions.buildSession(
      { jid: peerJid, deviceId: Number(id) },
      await fetchPeerDevice(peerJid, Number(id)),
    );

    const echo = nextEvent<InboundMessage>(
      client,
      "message",
      (m) =>
        m.muc?.room === room && m.muc.realJid === peerJid && findEncrypted(m.stanza) !== undefined,
      30_000,
    );
    const { element, skipped } = await sessions.encrypt(
      [{ jid: peerJid, deviceId: Number(id) }],
      "hello room",
    );
    expect(skipped).toEqual([]);
    await client.sendStanza(
      xml("message", { to: room, type: "groupchat" }, element, ...omemoHints()),
    );
    expect(await peer.line("RECV")).toBe(`RECV bot@localhost ${sessions.own.deviceId} hello room`);
    const answer = await echo;
    // Decrypted as coming from the occupant's real JID, which the room reveals.
    const got = await sessions.decrypt(
      answer.muc?.realJid as string,
      parseEncrypted(findEncrypted(answer.stanza) as never),
    );
    expect(got.plaintext).toBe("echo: hello room");
  }, 90_000);
});
