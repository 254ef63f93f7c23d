/**
 * The `omemo` plugin between two clawxmpp clients over a real Prosody 0.12:
 * messages both ways through the encrypt and decrypt stages, a restart of
 * either side from its JSON file store, a lost session healed (rebuilt
 * session and key transport), `requireEncryption`, and a device of our own
 * account appearing.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type InboundMessage, memoryCursor } from "@clawxmpp/core";
import { JsonFileOmemoStore, NS_OMEMO } from "@clawxmpp/omemo";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProsodyInstance, startProsody } from "../src/index.js";
import { nextEvent } from "./helpers.js";
import { type OmemoAccount, omemoAccount } from "./omemo-helpers.js";

let server: ProsodyInstance;
let dir: string;
const accounts: OmemoAccount[] = [];
let alice: OmemoAccount;
let bob: OmemoAccount;
let aliceStore: JsonFileOmemoStore;
let bobStore: JsonFileOmemoStore;
const ALICE = () => server.accounts.alice?.jid as string;
const BOB = () => server.accounts.bob?.jid as string;

async function open(user: string, store: JsonFileOmemoStore, options = {}) {
  // OMEMO 0.3 between two clawxmpp clients (they would pick OMEMO 2 otherwise: omemo2-*.test.ts).
  const account = await omemoAccount(server, user, { store, omemo2: false, ...options });
  accounts.push(account);
  return account;
}

async function restart(account: OmemoAccount, path: string, user: string) {
  await account.client.stop();
  const store = await JsonFileOmemoStore.open(path);
  return { account: await open(user, store), store };
}

function received(to: OmemoAccount, body: string) {
  return nextEvent<InboundMessage>(to.client, "message", (m) => m.body === body, 20_000);
}

describe("OMEMO plugin between two clawxmpp clients", () => {
  beforeAll(async () => {
    server = await startProsody({
      accounts: { alice: "alice", bob: "bob", carol: "carol", dave: "dave" },
    });
    dir = await mkdtemp(join(tmpdir(), "omemo-plugin-"));
    aliceStore = await JsonFileOmemoStore.open(join(dir, "alice.json"));
    bobStore = await JsonFileOmemoStore.open(join(dir, "bob.json"));
    [alice, bob] = await Promise.all([open("alice", aliceStore), open("bob", bobStore)]);
  });

  afterAll(async () => {
    await Promise.all(accounts.map((a) => a.client.stop()));
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("exchanges encrypted messages both ways; the inbound message says it was encrypted", async () => {
    const bobGets = received(bob, "hello bob 🔐");
    await alice.om.sendEncrypted(BOB(), "hello bob 🔐");
    const first = await bobGets;
    const aliceId = await alice.om.identity();
    expect(first.omemo).toMatchObject({
      encrypted: true,
      jid: ALICE(),
      deviceId: aliceId.deviceId,
      fingerprint: aliceId.fingerprint,
      trust: "trusted",
      prekey: true,
    });
    // The fallback body and the <encrypted/> element never reach the application.
    expect(first.stanza.getChild("encrypted", NS_OMEMO)).toBeUndefined();
    // The one-time prekey alice used is replaced by a new one (ids only grow) and republished.
    await untilAsync(async () => (await bobStore.getOwnDevice())?.nextPreKeyId === 102);
    expect(await bobStore.listPreKeys()).toHaveLength(100);

    const aliceGets = received(alice, "hello alice");
    await bob.om.sendEncrypted(ALICE(), "hello alice");
    expect((await aliceGets).omemo).toMatchObject({ jid: BOB(), prekey: false });
  });

  it("keeps its sessions across a restart of either side (JSON file store)", async () => {
    ({ account: bob, store: bobStore } = await restart(bob, bobStore.path, "bob"));
    const bobGets = received(bob, "after bob restarted");
    await alice.om.sendEncrypted(BOB(), "after bob restarted");
    expect((await bobGets).omemo?.prekey).toBe(false);

    ({ account: alice, store: aliceStore } = await restart(alice, aliceStore.path, "alice"));
    const aliceGets = received(alice, "after alice restarted");
    await bob.om.sendEncrypted(ALICE(), "after alice restarted");
    expect((await aliceGets).omemo?.jid).toBe(BOB());
  });

  it("heals a lost session: the receiver rebuilds it and sends a key transport, later messages decrypt", async () => {
    const aliceDevice = { jid: ALICE(), deviceId: (await alice.om.identity()).deviceId };
    const bobDevice = { jid: BOB(), deviceId: (await bob.om.identity()).deviceId };
    await bobStore.removeSession(aliceDevice);
    const before = await aliceStore.getSession(bobDevice);
    const lost = nextEvent(bob.client, "message", () => true, 3_000).catch(() => "none");
    const refused = new Promise((resolve) => bob.om.once("undecryptable", resolve));
    await alice.om.sendEncrypted(BOB(), "this one is lost");
    expect(await refused).toMatchObject({ condition: "no-session", jid: ALICE() });
    // Alice's session is replaced by the one bob's key transport built.
    await untilAsync(async () => (await aliceStore.getSession(bobDevice)) !== before);
    expect(await lost).toBe("none");

    const bobGets = received(bob, "after healing");
    await alice.om.sendEncrypted(BOB(), "after healing");
    expect((await bobGets).omemo?.jid).toBe(ALICE());
    const aliceGets = received(alice, "healed both ways");
    await bob.om.sendEncrypted(ALICE(), "healed both ways");
    await aliceGets;
  });

  it("requireEncryption: plaintext from an OMEMO contact is refused, plaintext to one is encrypted or refused", async () => {
    const strict = await open("alice", aliceStore, { requireEncryption: true });
    // A second client of alice's account with the same store would be the same device: use it alone.
    await alice.client.stop();
    alice = strict;
    const refused = new Promise((resolve) => alice.om.once("undecryptable", resolve));
    await bob.client.send({ to: ALICE(), body: "plain, not welcome", omemo: false });
    expect(await refused).toMatchObject({ condition: "plaintext-refused", jid: BOB() });

    const bobGets = received(bob, "encrypted without asking");
    await alice.client.send({ to: BOB(), body: "encrypted without asking" });
    expect((await bobGets).omemo?.jid).toBe(ALICE());
    await expect(alice.client.send({ to: BOB(), body: "x", omemo: false })).rejects.toThrow(
      /requireEncryption/,
    );
  });

  it("manual trust: an unpinned device is neither read nor encrypted for; pinned, it is", async () => {
    const carolStore = await JsonFileOmemoStore.open(join(dir, "carol.json"));
    let carol = await open("carol", carolStore, { trust: "manual" });
    const CAROL = server.accounts.carol?.jid as string;
    const seen = new Promise((resolve) => carol.om.once("identity", resolve));
    const refused = new Promise((resolve) => carol.om.once("undecryptable", resolve));
    await bob.om.sendEncrypted(CAROL, "carol does not know me yet");
    expect(await refused).toMatchObject({ condition: "untrusted", jid: BOB() });
    const bobId = await bob.om.identity();
    expect(await seen).toMatchObject({
      jid: BOB(),
      deviceId: bobId.deviceId,
      fingerprint: bobId.fingerprint,
      trust: "undecided",
    });
    await expect(carol.om.sendEncrypted(BOB(), "no")).rejects.toThrow(/no trusted OMEMO device/);

    // The operator pins bob's fingerprint in the display form clients show.
    await carol.client.stop();
    carol = await open("carol", carolStore, {
      trust: "manual",
      trustedFingerprints: [bobId.display],
    });
    const bobGets = received(bob, "now I trust you");
    await carol.om.sendEncrypted(BOB(), "now I trust you");
    expect((await bobGets).omemo?.jid).toBe(CAROL);
    const carolGets = received(carol, "verified");
    await bob.om.sendEncrypted(CAROL, "verified");
    expect((await carolGets).omemo).toMatchObject({ jid: BOB(), trust: "verified" });
  });

  it("archive (MAM) catch-up: what arrived while away is read once; a replay of it is dropped as duplicates", async () => {
    const DAVE = server.accounts.dave?.jid as string;
    const path = join(dir, "dave.json");
    const cursor = memoryCursor();
    const bodies: string[] = [];
    const start = async (from = cursor, label = "") => {
      const store = await JsonFileOmemoStore.open(path);
      const account = await omemoAccount(
        server,
        "dave",
        { store },
        {
          client: { archive: { catchUp: true, cursor: from } },
          // Listening before the start: offline and archived messages arrive during it.
          before: (client) =>
            client.on("message", (m) => bodies.push(`${label}${m.body} ${m.omemo?.jid}`)),
        },
      );
      accounts.push(account);
      return account;
    };
    let dave = await start(cursor, "first ");
    const first = received(dave, "before dave left");
    await alice.om.sendEncrypted(DAVE, "before dave left");
    await first;
    const mark = await cursor.load();
    await dave.client.stop();
    for (const n of [1, 2, 3]) await alice.om.sendEncrypted(DAVE, `while away ${n}`);

    dave = await start();
    await untilAsync(async () => bodies.filter((b) => b.startsWith("while away")).length >= 3);
    expect(bodies.filter((b) => b.startsWith("while away")).sort()).toEqual(
      [1, 2, 3].map((n) => `while away ${n} ${ALICE()}`),
    );
    await dave.client.stop();

    // The archive hands the same messages over again: each is a duplicate for its session.
    const again = await start(memoryCursor(mark), "replayed ");
    // The catch-up runs during start(): its refusals are read from the log, kept from the first line.
    const duplicates = () => again.warnings.filter((l) => l.includes('"condition":"duplicate"'));
    await untilAsync(async () => duplicates().length >= 3);
    expect(duplicates()).toHaveLength(3);
    expect(bodies.filter((b) => b.startsWith("replayed"))).toEqual([]);
  });

  it("another client of our account adds a device: deviceAdded; a contact's messages reach it too", async () => {
    const added = new Promise<{ jid: string; deviceId: number; own: boolean }>((resolve) =>
      bob.om.on("deviceAdded", (e) => e.own && resolve(e)),
    );
    const bob2 = await omemoAccount(server, "bob");
    accounts.push(bob2);
    const id2 = (await bob2.om.identity()).deviceId;
    expect(await added).toEqual({ jid: BOB(), deviceId: id2, own: true });
    // Alice is not subscribed to bob's presence (no PEP notifications): she refreshes his list.
    expect((await alice.om.devices(BOB(), { refresh: true })).map((d) => d.deviceId)).toContain(
      id2,
    );
    const bob2Gets = received(bob2, "both of bob's devices read this");
    const bob1Gets = received(bob, "both of bob's devices read this");
    await alice.om.sendEncrypted(BOB(), "both of bob's devices read this");
    expect((await bob2Gets).omemo).toMatchObject({ jid: ALICE(), prekey: true });
    expect((await bob1Gets).omemo).toMatchObject({ jid: ALICE(), prekey: false });
  });
});

async function untilAsync(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
