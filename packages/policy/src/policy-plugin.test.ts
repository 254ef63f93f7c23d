import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, type Element } from "@clawxmpp/core";
import {
  type FakeServer,
  fakeClient,
  presence,
  testPluginConformance,
  until,
} from "@clawxmpp/test";
import { describe, expect, it } from "vitest";
import { createPairing, pairingOptionsSchema } from "./pairing.js";
import { emptyPairingState } from "./pairing-state.js";
import { memoryStore, type PairingStore } from "./pairing-store.js";
import type { PolicyOptionsInput } from "./policy-options.js";
import { policy } from "./policy-plugin.js";

const BOT = "bot@example.test";
const OWNER = "owner@example.test";
const STRANGER = "stranger@elsewhere.test";

testPluginConformance(policy, { options: { allowFrom: [OWNER], pollInterval: 0 } });

/** A client bound as `${BOT}/bot` on the fake server, with no carbons to enable. */
const botClient = () => fakeClient({ jid: BOT, fakeServer: { jid: `${BOT}/bot` }, carbons: false });

async function setup(options: PolicyOptionsInput = {}) {
  const { server, client } = botClient();
  const store = options.store ?? (options.storePath === undefined ? memoryStore() : undefined);
  const handle = client.use(policy, {
    allowFrom: [OWNER],
    pollInterval: 0,
    ...options,
    ...(store ? { store } : {}),
  });
  await client.start();
  return { server, client, handle, store: store as PairingStore };
}

function messagesTo(server: FakeServer, to: string): string[] {
  return server.sent
    .filter((el: Element) => el.name === "message" && el.attrs.to === to)
    .map((el) => el.getChildText("body") ?? "");
}

const isPresence = (type: string, to: string) => (el: Element) =>
  el.name === "presence" && el.attrs.type === type && el.attrs.to === to;

describe("policy plugin: presence subscriptions", () => {
  it("denies a stranger's subscription request", async () => {
    const { server } = await setup();
    const denied = server.nextSent(isPresence("unsubscribed", STRANGER));
    server.receive(presence(`${STRANGER}/res`, BOT, "subscribe"));
    await denied;
    expect(server.sent.some(isPresence("subscribed", STRANGER))).toBe(false);
  });

  it("approves (and reciprocates) an owner's request", async () => {
    const { server, handle } = await setup();
    const answered = new Promise<string>((resolve) =>
      handle.on("subscription", ({ jid, decision }) => resolve(`${jid}:${decision.action}`)),
    );
    const approved = server.nextSent(isPresence("subscribed", OWNER));
    const back = server.nextSent(isPresence("subscribe", OWNER));
    server.receive(presence(OWNER, BOT, "subscribe"));
    await Promise.all([approved, back]);
    expect(await answered).toBe(`${OWNER}:allow`);
  });

  it("approves a paired JID, waiting for the store to load first", async () => {
    const store = memoryStore({
      ...emptyPairingState(),
      approved: [{ jid: "pal@elsewhere.test", approvedAt: 1, greeted: true }],
    });
    const { server } = await setup({ store });
    const approved = server.nextSent(isPresence("subscribed", "pal@elsewhere.test"));
    server.receive(presence("pal@elsewhere.test/x", BOT, "subscribe"));
    await approved;
  });
});

describe("policy plugin: DM admission and pairing", () => {
  it("sends a stranger a code once per pending request, and admits after approval with a greeting", async () => {
    const { server, handle } = await setup();
    const first = await handle.admitDm(`${STRANGER}/phone`);
    expect(first.action).toBe("pair");
    expect(first.pairing?.status).toBe("created");
    const code = (first.pairing as { code: string }).code;
    const second = await handle.admitDm(STRANGER);
    expect(second).toMatchObject({
      action: "pair",
      reason: "dmPolicy=pairing: code already pending",
    });
    expect((second.pairing as { code: string }).code).toBe(code);
    const replies = messagesTo(server, STRANGER);
    expect(replies).toHaveLength(2);
    for (const reply of replies) expect(reply).toContain(code);
    expect((await handle.pairing.list()).pending).toHaveLength(1);

    const approved: string[] = [];
    handle.on("approved", ({ jid }) => approved.push(jid));
    await handle.pairing.approve(code);
    expect(approved).toEqual([STRANGER]);
    expect(messagesTo(server, STRANGER).at(-1)).toMatch(/approved/u);
    expect(handle.pairing.isPaired(`${STRANGER}/other`)).toBe(true);
    expect(await handle.admitDm(STRANGER)).toMatchObject({ action: "allow", sender: "paired" });
    // The greeting is sent once.
    await handle.refresh();
    expect(messagesTo(server, STRANGER)).toHaveLength(3);
  });

  it("owners are admitted without pairing; invalid senders are denied", async () => {
    const { server, handle } = await setup();
    expect(await handle.admitDm(`${OWNER}/x`)).toMatchObject({ action: "allow", sender: "owner" });
    expect(await handle.admitDm("")).toMatchObject({ action: "deny", sender: "invalid" });
    expect(server.sent.filter((el) => el.name === "message")).toHaveLength(0);
  });

  it("greets a JID approved by another process (the CLI) on refresh and on the poll timer", async () => {
    const store = memoryStore();
    const { server, handle } = await setup({ store, pollInterval: 20 });
    const first = await handle.admitDm(STRANGER);
    const code = (first.pairing as { code: string }).code;
    const cli = createPairing(pairingOptionsSchema.parse({}), { store });
    await cli.approve(code);
    const greeting = await server.nextSent(
      (el) =>
        el.name === "message" &&
        el.attrs.to === STRANGER &&
        /approved/u.test(el.getChildText("body") ?? ""),
    );
    expect(greeting).toBeDefined();
    expect(handle.pairing.isPaired(STRANGER)).toBe(true);
    await until(async () => (await store.load()).approved[0]?.greeted === true);
  });

  it("refuses strangers beyond the pending limit without replying", async () => {
    const { server, handle } = await setup({ pairing: { maxPending: 1 } });
    await handle.admitDm("a@elsewhere.test");
    const full = await handle.admitDm("b@elsewhere.test");
    expect(full).toMatchObject({
      action: "deny",
      reason: "dmPolicy=pairing: too many pending pairing codes",
    });
    expect(messagesTo(server, "b@elsewhere.test")).toEqual([]);
  });

  it("pairingReply: false issues the code silently", async () => {
    const { server, handle } = await setup({ pairingReply: false });
    expect((await handle.admitDm(STRANGER)).action).toBe("pair");
    expect(messagesTo(server, STRANGER)).toEqual([]);
  });

  it("rate-limits each sender; owners are exempt", async () => {
    const { handle } = await setup({
      dmPolicy: "open",
      rateLimit: { capacity: 2, refillPerMinute: 1 },
    });
    const actions = [1, 2, 3].map(() => handle.check({ kind: "dm", from: STRANGER }));
    expect(actions.map((d) => d.action)).toEqual(["allow", "allow", "deny"]);
    expect(actions[2]?.reason).toBe(
      "rate limited (dmPolicy=open: anyone may send direct messages)",
    );
    // The operator always reaches the bot, however fast.
    const owner = Array.from({ length: 10 }, () => handle.check({ kind: "dm", from: OWNER }));
    expect(owner.every((d) => d.action === "allow")).toBe(true);
    // decide() itself stays pure: no tokens taken.
    expect(handle.decide({ kind: "dm", from: STRANGER }).action).toBe("allow");
  });

  it("a throttled DM sender is told once, not once per dropped message", async () => {
    const { server, handle } = await setup({
      dmPolicy: "open",
      rateLimit: { capacity: 1, refillPerMinute: 1 },
      rateLimitReply: "slow down",
    });
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push(await handle.admitDm(STRANGER));
    expect(verdicts.map((d) => d.throttled)).toEqual([undefined, "first", "again", "again"]);
    expect(messagesTo(server, STRANGER)).toEqual(["slow down"]);
    expect(messagesTo(server, OWNER)).toEqual([]);
  });

  it("a corrupt store: ready rejects, strangers are refused, owners still get through", async () => {
    const dir = await mkdtemp(join(tmpdir(), "clawxmpp-policy-"));
    try {
      const storePath = join(dir, "pairing.json");
      await writeFile(storePath, "{ nope");
      const { server, handle } = await setup({ storePath });
      await expect(handle.ready).rejects.toMatchObject({ code: "storage" });
      const stranger = await handle.admitDm(STRANGER);
      expect(stranger.action).toBe("deny");
      expect(stranger.reason).toMatch(/pairing unavailable: pairing store .* is corrupt/u);
      expect(messagesTo(server, STRANGER)).toEqual([]);
      expect((await handle.admitDm(OWNER)).action).toBe("allow");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("bad options are a ConfigError naming the field", () => {
    const { client } = botClient();
    expect(() => client.use(policy, { allowFrom: ["ok@example.test", "bad jid"] })).toThrow(
      ConfigError,
    );
    try {
      client.use(policy, { allowFrom: ["ok@example.test", "bad jid"] });
    } catch (error) {
      expect((error as ConfigError).issues[0]?.field).toBe("policy options.allowFrom.1");
    }
  });
});

describe("policy plugin: group rate limit", () => {
  it("keys hidden senders by occupant, so one flooder does not silence the room", async () => {
    const { handle } = await setup({
      groupPolicy: "open",
      rateLimit: { capacity: 1, refillPerMinute: 1 },
    });
    const room = "room@conference.example.test";
    const from = (nick: string) => ({
      kind: "group" as const,
      room,
      realJid: undefined,
      mentioned: false,
      occupant: `${room}/${nick}`,
    });
    expect(handle.check(from("flooder")).action).toBe("allow");
    expect(handle.check(from("flooder")).action).toBe("deny");
    expect(handle.check(from("quiet")).action).toBe("allow");
    // Known real JIDs are keyed by JID, whatever nick they use.
    const real = (nick: string) => ({ ...from(nick), realJid: "someone@example.test/x" });
    expect(handle.check(real("a")).action).toBe("allow");
    expect(handle.check(real("b")).action).toBe("deny");
  });
});

describe("policy plugin: greeting while offline", () => {
  it("defers the greeting until the client is online, announcing the approval once", async () => {
    const { server, client } = botClient();
    const handle = client.use(policy, {
      allowFrom: [OWNER],
      pollInterval: 0,
      store: memoryStore(),
    });
    expect(Object.keys(handle.config).sort()).toEqual(
      [
        "acceptInvitesFrom",
        "allowFrom",
        "dmAllowlist",
        "dmPolicy",
        "groupPolicy",
        "groupSettings",
      ].sort(),
    );
    const announced: string[] = [];
    handle.on("approved", ({ jid }) => announced.push(jid));
    const { code } = (await handle.pairing.request(STRANGER)) as { code: string };
    await handle.pairing.approve(code);
    await handle.refresh();
    expect(announced).toEqual([STRANGER]);
    const greeting = server.nextSent((el) => el.name === "message" && el.attrs.to === STRANGER);
    await client.start();
    expect((await greeting).getChildText("body")).toMatch(/approved/u);
    expect(announced).toEqual([STRANGER]);
  });
});
