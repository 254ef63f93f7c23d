/**
 * `@clawxmpp/policy` against a real Prosody: a tiny echo bot that answers a DM
 * only when the policy allows it, pairing end to end across a bot restart, and
 * presence subscriptions answered by policy.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Client,
  definePlugin,
  type InboundMessage,
  type InboundPresence,
  xml,
} from "@clawxmpp/core";
import {
  type PolicyHandle,
  type PolicyOptionsInput,
  policy,
  runPairingCli,
} from "@clawxmpp/policy";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { clientFor, type ProsodyInstance, startProsody } from "../src/index.js";
import { nextEvent, until } from "./helpers.js";

let server: ProsodyInstance;
let dir: string;
const clients: Client[] = [];
// Clients of the current test; stopped after it even when it fails, so one
// failure cannot leave a bot online that answers in the next test.
const perTest: Client[] = [];
const users = ["alice", "bob", "bot", "carol", "dave", "erin", "frank", "gina", "hank"];

beforeAll(async () => {
  server = await startProsody({ accounts: Object.fromEntries(users.map((u) => [u, u])) });
  dir = await mkdtemp(join(tmpdir(), "clawxmpp-policy-it-"));
});

afterEach(async () => {
  await Promise.all(perTest.splice(0).map((c) => c.stop()));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.stop()));
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const jid = (user: string) => `${user}@localhost`;
const OWNER = jid("alice");

/** Reads the bot's roster, to see whom it actually let subscribe. */
const rosterProbe = definePlugin("roster-probe", (ctx) => ({
  async items(): Promise<Record<string, string>> {
    const result = await ctx.iq.get(xml("query", { xmlns: "jabber:iq:roster" }));
    const items: Record<string, string> = {};
    for (const item of result?.getChild("query")?.getChildren("item") ?? []) {
      if (item.attrs.jid) items[item.attrs.jid] = item.attrs.subscription ?? "none";
    }
    return items;
  },
  stop() {},
}));

interface Bot {
  client: Client;
  handle: PolicyHandle;
  roster: ReturnType<typeof rosterProbe>;
}

/** The test bot: echoes a chat message only when the policy allows; pairing replies come from the plugin. */
async function startBot(options: PolicyOptionsInput): Promise<Bot> {
  const client = clientFor(server, "bot");
  clients.push(client);
  perTest.push(client);
  const handle = client.use(policy, { allowFrom: [OWNER], pollInterval: 0, ...options });
  const roster = client.use(rosterProbe, undefined);
  client.on("message", (message) => {
    if (message.type !== "chat" || message.body === undefined || message.outgoing) return;
    void handle
      .admitDm(message.from.full)
      .then(async (verdict) => {
        if (verdict.action === "allow") {
          await client.send({ to: message.from.bare, body: `echo: ${message.body}` });
        }
      })
      .catch(() => {}); // the bot may be stopping
  });
  await client.start();
  await handle.ready;
  return { client, handle, roster };
}

interface User {
  client: Client;
  inbox: string[];
  roster: ReturnType<typeof rosterProbe>;
}

/**
 * A user's client that records every chat message from the bot. It fetches its
 * roster first: Prosody delivers `subscribed`/`unsubscribed` only to
 * "interested" resources (RFC 6121 §2.1.6), those that requested the roster.
 */
async function startUser(user: string): Promise<User> {
  const client = clientFor(server, user);
  clients.push(client);
  if (user !== "alice") perTest.push(client);
  const roster = client.use(rosterProbe, undefined);
  const inbox: string[] = [];
  client.on("message", (m) => {
    if (m.from.bare === jid("bot") && m.body !== undefined) inbox.push(m.body);
  });
  await client.start();
  await roster.items();
  return { client, inbox, roster };
}

function fromBot(body: RegExp | string) {
  return (m: InboundMessage) =>
    m.from.bare === jid("bot") &&
    (typeof body === "string" ? m.body === body : body.test(m.body ?? ""));
}

/**
 * Sends `body` from the stranger, then a probe from the owner; once the owner's
 * echo is back the bot has handled the stranger's message too (one inbound
 * queue), so the stranger's inbox is final after a short grace period.
 */
async function strangerThenOwner(
  stranger: { client: Client; inbox: string[] },
  owner: Client,
  body: string,
): Promise<string[]> {
  await stranger.client.send({ to: jid("bot"), body });
  const probe = `probe ${Math.random().toString(36).slice(2)}`;
  const echoed = nextEvent<InboundMessage>(owner, "message", fromBot(`echo: ${probe}`));
  await owner.send({ to: jid("bot"), body: probe });
  await echoed;
  await new Promise((resolve) => setTimeout(resolve, 300));
  return [...stranger.inbox];
}

describe("policy against Prosody: a stranger DMs the echo bot", () => {
  let owner: Client;
  beforeAll(async () => {
    owner = (await startUser("alice")).client;
  });

  it("dmPolicy=disabled: the stranger gets nothing, the owner is echoed", async () => {
    const bot = await startBot({ dmPolicy: "disabled" });
    const bob = await startUser("bob");
    expect(await strangerThenOwner(bob, owner, "hello?")).toEqual([]);
    await Promise.all([bot.client.stop(), bob.client.stop()]);
  });

  it("dmPolicy=open: the stranger is echoed", async () => {
    const bot = await startBot({ dmPolicy: "open" });
    const bob = await startUser("bob");
    const echoed = nextEvent<InboundMessage>(bob.client, "message", fromBot("echo: hi open"));
    await bob.client.send({ to: jid("bot"), body: "hi open" });
    await echoed;
    await Promise.all([bot.client.stop(), bob.client.stop()]);
  });

  it("rate limit: owners are never throttled; a flooding stranger is told once", async () => {
    const bot = await startBot({
      dmPolicy: "open",
      rateLimit: { capacity: 2, refillPerMinute: 1 },
      rateLimitReply: "slow down",
    });
    const bob = await startUser("bob");
    const ownerEchoes: string[] = [];
    const stopListening = owner.on("message", (m) => {
      if (fromBot(/^echo: owner-/u)(m)) ownerEchoes.push(m.body!);
    });
    for (let i = 0; i < 5; i++) await bob.client.send({ to: jid("bot"), body: `bob-${i}` });
    for (let i = 0; i < 5; i++) await owner.send({ to: jid("bot"), body: `owner-${i}` });
    await until(() => ownerEchoes.length === 5, 10_000, "every owner message echoed");
    await until(() => bob.inbox.length === 3, 10_000, "two echoes and one notice");
    // Nothing more trickles in for the three dropped messages.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bob.inbox).toEqual(["echo: bob-0", "echo: bob-1", "slow down"]);
    stopListening();
    await Promise.all([bot.client.stop(), bob.client.stop()]);
  });

  it("dmPolicy=allowlist: a stranger gets nothing, a dmAllowlist member is echoed", async () => {
    const bot = await startBot({ dmPolicy: "allowlist", dmAllowlist: [jid("carol")] });
    const bob = await startUser("bob");
    const carol = await startUser("carol");
    expect(await strangerThenOwner(bob, owner, "let me in")).toEqual([]);
    const echoed = nextEvent<InboundMessage>(carol.client, "message", fromBot("echo: listed"));
    await carol.client.send({ to: jid("bot"), body: "listed" });
    await echoed;
    await Promise.all([bot.client.stop(), bob.client.stop(), carol.client.stop()]);
  });

  it("dmPolicy=pairing (default): the stranger gets a pairing code, not an echo", async () => {
    const bot = await startBot({ storePath: join(dir, "pairing-default.json") });
    expect(bot.handle.config.dmPolicy).toBe("pairing");
    const bob = await startUser("bob");
    const coded = nextEvent<InboundMessage>(bob.client, "message", fromBot(/pairing code is/u));
    await bob.client.send({ to: jid("bot"), body: "hello bot" });
    expect((await coded).body).toMatch(/pairing code is [A-HJKMNP-Z2-9]{8}/u);
    // Anything else the bot would send (an echo) is out by the time the owner's probe returns.
    const probe = nextEvent<InboundMessage>(owner, "message", fromBot("echo: probe after code"));
    await owner.send({ to: jid("bot"), body: "probe after code" });
    await probe;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bob.inbox).toHaveLength(1);
    expect(bob.inbox[0]).toMatch(/pairing code is/u);
    await Promise.all([bot.client.stop(), bob.client.stop()]);
  });
});

describe("policy against Prosody: pairing end to end", () => {
  it("code → bot restart → CLI approval → greeting → echo", async () => {
    const storePath = join(dir, "pairing-e2e.json");
    const dave = await startUser("dave");
    const first = await startBot({ storePath });

    // First contact: a code, and the same code again on a second message.
    const coded = nextEvent<InboundMessage>(dave.client, "message", fromBot(/pairing code is/u));
    await dave.client.send({ to: jid("bot"), body: "hi" });
    const code = /pairing code is ([A-HJKMNP-Z2-9]{8})/u.exec((await coded).body ?? "")?.[1];
    expect(code).toBeDefined();
    const again = nextEvent<InboundMessage>(dave.client, "message", fromBot(/pairing code is/u));
    await dave.client.send({ to: jid("bot"), body: "hi again" });
    expect((await again).body).toContain(code);
    expect((await first.handle.pairing.list()).pending).toHaveLength(1);
    expect((await stat(storePath)).mode & 0o777).toBe(0o600);

    // The bot goes away; the operator approves from the command line.
    await first.client.stop();
    const out: string[] = [];
    const exit = await runPairingCli(["pairing", "approve", code!.toLowerCase()], storePath, {
      out: (line) => out.push(line),
      err: (line) => out.push(line),
    });
    expect(exit).toBe(0);
    expect(out).toEqual([`approved ${jid("dave")}`]);

    // A new bot process (new client, same store) greets dave and now echoes him.
    const greeted = nextEvent<InboundMessage>(dave.client, "message", fromBot(/approved/u));
    const second = await startBot({ storePath });
    await greeted;
    expect(second.handle.pairing.isPaired(jid("dave"))).toBe(true);
    const echoed = nextEvent<InboundMessage>(dave.client, "message", fromBot("echo: paired now"));
    await dave.client.send({ to: jid("bot"), body: "paired now" });
    await echoed;
    expect(dave.inbox.filter((b) => /pairing code/u.test(b))).toHaveLength(2);
    expect(dave.inbox.filter((b) => b.startsWith("echo:"))).toEqual(["echo: paired now"]);
    await second.client.stop();
    await dave.client.stop();
  });

  it("a wrong code from the CLI approves nobody", async () => {
    const storePath = join(dir, "pairing-wrong.json");
    const frank = await startUser("frank");
    const bot = await startBot({ storePath });
    await frank.client.send({ to: jid("bot"), body: "hi" });
    await until(() => frank.inbox.length === 1, 10_000, "pairing code");
    const err: string[] = [];
    expect(
      await runPairingCli(["pairing", "approve", "ZZZZZZZZ"], storePath, {
        err: (l) => err.push(l),
        out: () => {},
      }),
    ).toBe(1);
    expect(err).toEqual(["error: unknown or expired pairing code"]);
    await bot.handle.refresh();
    expect(bot.handle.pairing.isPaired(jid("frank"))).toBe(false);
    await Promise.all([bot.client.stop(), frank.client.stop()]);
  });
});

describe("policy against Prosody: presence subscriptions", () => {
  it("a stranger's subscription is refused, an owner's is approved", async () => {
    const bot = await startBot({ storePath: join(dir, "pairing-sub.json") });
    const erinUser = await startUser("erin");
    const ownerUser = await startUser("alice");
    const erin = erinUser.client;
    const owner = ownerUser.client;

    const refused = nextEvent<InboundPresence>(
      erin,
      "presence",
      (p) => p.type === "unsubscribed" && p.from.bare === jid("bot"),
    );
    await erin.sendPresence({ type: "subscribe", to: jid("bot") });
    await refused;

    const approved = nextEvent<InboundPresence>(
      owner,
      "presence",
      (p) => p.type === "subscribed" && p.from.bare === jid("bot"),
    );
    // The server sends the bot's presence right behind `subscribed`: listen before asking.
    const available = nextEvent<InboundPresence>(
      owner,
      "presence",
      (p) => p.type === "available" && p.from.bare === jid("bot"),
    );
    await owner.sendPresence({ type: "subscribe", to: jid("bot") });
    await approved;

    // The owner now receives the bot's presence; the rosters on the server agree.
    await available;
    const items = await bot.roster.items();
    expect(items[OWNER]).toMatch(/^(from|both)$/u);
    expect(items[jid("erin")] ?? "none").toBe("none");
    expect((await erinUser.roster.items())[jid("bot")] ?? "none").toBe("none");
    expect((await ownerUser.roster.items())[jid("bot")]).toMatch(/^(to|both)$/u);
    await Promise.all([bot.client.stop(), erin.stop(), owner.stop()]);
  });

  it("a paired JID's subscription is approved", async () => {
    const storePath = join(dir, "pairing-sub-paired.json");
    const gina = await startUser("gina");
    const bot = await startBot({ storePath });
    const coded = nextEvent<InboundMessage>(gina.client, "message", fromBot(/pairing code is/u));
    await gina.client.send({ to: jid("bot"), body: "hi" });
    const code = /pairing code is ([A-HJKMNP-Z2-9]{8})/u.exec((await coded).body ?? "")?.[1];
    await bot.handle.pairing.approve(code!);
    const approved = nextEvent<InboundPresence>(
      gina.client,
      "presence",
      (p) => p.type === "subscribed" && p.from.bare === jid("bot"),
    );
    await gina.client.sendPresence({ type: "subscribe", to: jid("bot") });
    await approved;
    await Promise.all([bot.client.stop(), gina.client.stop()]);
  });
});
