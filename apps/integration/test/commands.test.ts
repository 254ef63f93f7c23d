/**
 * `@clawxmpp/commands` against a real Prosody 0.12: our client side lists and
 * runs our server side (XEP-0050) across the server — a multi-stage command
 * with XEP-0004 forms, going back, completing and cancelling; a requester
 * the visibility rule refuses; the bad-input points (unknown session ids,
 * wrong field types, missing required fields, 1,000 sessions from one
 * sender). Then a real client: profanity's `/cmd list` and `/cmd exec`,
 * driven in tmux, lists and runs the bot's commands.
 */
import {
  booleanField,
  type CommandsError,
  type CommandsHandle,
  commands,
  completed,
  dataForm,
  executing,
  listSingleField,
  NS_COMMANDS,
  NS_DATA,
  textSingleField,
} from "@clawxmpp/commands";
import { type Client, type Jid, xml } from "@clawxmpp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, type ProsodyInstance, startProsody } from "../src/index.js";
import { until } from "./helpers.js";
import { hasProfanity, type Profanity, startProfanity } from "./profanity.js";

let server: ProsodyInstance;
const clients: Client[] = [];
let bot: Client;
let alice: Client;
let botCommands: CommandsHandle;
let aliceCommands: CommandsHandle;
let bobCommands: CommandsHandle;
let botJid: string;
const saved: {
  name: string;
  age: string | undefined;
  notify: boolean;
  mode: string | undefined;
}[] = [];

const profile = dataForm({
  title: "Profile",
  instructions: "Who are you?",
  fields: [
    textSingleField("name", { required: true, label: "Name" }),
    textSingleField("age", { label: "Age", validate: { datatype: "xs:integer" } }),
  ],
});
const confirm = dataForm({
  title: "Confirm",
  fields: [
    booleanField("notify", { required: true, label: "Notify me" }),
    listSingleField("mode", ["fast", "safe"], { label: "Mode", value: "safe" }),
  ],
});

const isOwner = (requester: Jid) =>
  requester.bare === "alice@localhost" || requester.bare === "carol@localhost";

async function started(user: string): Promise<[Client, CommandsHandle]> {
  const client = clientFor(server, user);
  clients.push(client);
  const handle = client.use(commands, { allowed: isOwner, maxSessionsPerRequester: 5 });
  await client.start();
  return [client, handle];
}

beforeAll(async () => {
  server = await startProsody({
    mam: false,
    accounts: { alice: "alice", bob: "bob", bot: "bot", carol: "carol" },
  });
  [bot, botCommands] = await started("bot");
  [alice, aliceCommands] = await started("alice");
  [, bobCommands] = await started("bob");
  botJid = bot.jid!.full;
  botCommands.add({
    node: "profile",
    name: "Edit profile",
    run(request) {
      if (request.stage === 0) return executing(profile, { actions: ["next"] });
      if (request.stage === 1) {
        const values = request.valuesOf(profile);
        request.state.set("profile", values);
        return executing(confirm, {
          actions: ["prev", "complete"],
          notes: [{ type: "info", text: `Hello ${values.name}` }],
        });
      }
      const { name, age } = request.state.get("profile") as { name: string; age?: string };
      const { notify, mode } = request.valuesOf(confirm);
      saved.push({ name, age, notify, mode });
      return completed(`Saved ${name}`);
    },
  });
  botCommands.add({
    node: "ping",
    name: "Ping",
    allowed: () => true,
    run: () => completed("pong"),
  });
  botCommands.add({
    node: "shutdown",
    name: "Shut down",
    allowed: (requester) => requester.bare === "alice@localhost",
    run: () => completed("not really"),
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.stop()));
  await server?.stop();
});

/** Rejections of `promise` as a CommandsError. */
async function failure(promise: Promise<unknown>): Promise<CommandsError> {
  try {
    await promise;
  } catch (error) {
    return error as CommandsError;
  }
  throw new Error("expected a failure");
}

/** Alice submits `fields` as is, bypassing our client's own form check (as a sloppy client would). */
function rawSubmit(
  sessionid: string | undefined,
  action: string,
  fields: Record<string, string>,
): Promise<unknown> {
  return alice.iq.set(
    xml(
      "command",
      { xmlns: NS_COMMANDS, node: "profile", sessionid, action },
      xml(
        "x",
        { xmlns: NS_DATA, type: "submit" },
        ...Object.entries(fields).map(([name, value]) =>
          xml("field", { var: name }, xml("value", {}, value)),
        ),
      ),
    ),
    botJid,
  );
}

describe("commands across a real Prosody", () => {
  it("lists the commands each requester may see", async () => {
    const forAlice = await aliceCommands.list(botJid);
    expect(forAlice.map((c) => [c.node, c.name, c.jid])).toEqual([
      ["profile", "Edit profile", botJid],
      ["ping", "Ping", botJid],
      ["shutdown", "Shut down", botJid],
    ]);
    const forBob = await bobCommands.list(botJid);
    expect(forBob.map((c) => c.node)).toEqual(["ping"]);
  });

  it("runs a multi-stage command with forms, back and forth, to completion", async () => {
    const first = await aliceCommands.execute(botJid, "profile");
    expect(first.status).toBe("executing");
    expect(first.form?.title).toBe("Profile");
    expect(first.actions).toEqual({ allowed: ["next"], execute: "next" });
    const second = await aliceCommands.next(first, { name: "Ann", age: "31" });
    expect(second.notes).toEqual([{ type: "info", text: "Hello Ann" }]);
    expect(second.actions.allowed).toEqual(["prev", "complete"]);
    const back = await aliceCommands.prev(second);
    expect(back.form?.title).toBe("Profile");
    const again = await aliceCommands.next(back, { name: "Ann Lee", age: "32" });
    const done = await aliceCommands.complete(again, { notify: true });
    expect(done.status).toBe("completed");
    expect(done.notes).toEqual([{ type: "info", text: "Saved Ann Lee" }]);
    expect(saved.at(-1)).toEqual({ name: "Ann Lee", age: "32", notify: true, mode: "safe" });
    expect(botCommands.openSessions()).toBe(0);
  });

  it("cancels a session; the id is then unknown", async () => {
    const first = await aliceCommands.execute(botJid, "profile");
    expect(botCommands.openSessions("alice@localhost")).toBe(1);
    const canceled = await aliceCommands.cancel(first);
    expect(canceled.status).toBe("canceled");
    expect(botCommands.openSessions()).toBe(0);
    const late = await failure(aliceCommands.next(first, { name: "x" }));
    expect(late.condition).toBe("bad-sessionid");
  });

  it("refuses a requester who may not see the command", async () => {
    const denied = await failure(bobCommands.execute(botJid, "profile"));
    expect(denied.condition).toBe("forbidden");
    expect(denied.stanzaCondition).toBe("forbidden");
    expect((await bobCommands.execute(botJid, "ping")).notes[0]?.text).toBe("pong");
  });

  it("answers unknown session ids, wrong field types and missing required fields clearly", async () => {
    const unknown = await failure(
      aliceCommands.next(
        {
          jid: botJid,
          node: "profile",
          sessionId: "0000-not-a-session",
          status: "executing",
          form: undefined,
          actions: { allowed: ["next"], execute: "next" },
          notes: [],
        },
        {},
      ),
    );
    expect(unknown.condition).toBe("bad-sessionid");
    expect(unknown.stanzaCondition).toBe("bad-request");

    const first = await aliceCommands.execute(botJid, "profile");
    // Our own client refuses to send a wrong form…
    const local = await failure(aliceCommands.next(first, { age: "old" }));
    expect(local.condition).toBe("invalid-form");
    expect(local.fields.map((f) => [f.field, f.reason])).toEqual([
      ["name", "required"],
      ["age", "datatype"],
    ]);
    // …so send it raw.
    const raw = await failure(rawSubmit(first.sessionId, "next", { age: "old" }));
    expect(raw.message).toMatch(
      /bad-payload: Name: a value is required; Age: is not a valid xs:integer/u,
    );
    // The session survives a bad submission.
    const second = await aliceCommands.next(first, { name: "Ok" });
    const wrongType = await failure(
      rawSubmit(second.sessionId, "complete", { notify: "perhaps", mode: "reckless" }),
    );
    expect(wrongType.message).toMatch(
      /bad-payload: Notify me: "perhaps" is not a boolean; Mode: "reckless" is not one of the options/u,
    );
    await aliceCommands.cancel(second);
    expect(botCommands.openSessions()).toBe(0);
  });

  it("answers session-expired once an idle session timed out", async () => {
    // A second resource of the bot whose sessions expire after 300 ms.
    const quick = clientFor(server, "bot");
    clients.push(quick);
    const quickCommands = quick.use(commands, { allowed: isOwner, sessionTimeout: 300 });
    quickCommands.add({ node: "slow", name: "Slow", run: () => executing(profile) });
    await quick.start();
    const first = await aliceCommands.execute(quick.jid!.full, "slow");
    expect(quickCommands.openSessions()).toBe(1);
    await until(() => quickCommands.openSessions() === 0, 5_000, "the session to expire");
    const late = await failure(aliceCommands.next(first, { name: "Too late" }));
    expect(late.condition).toBe("session-expired");
    expect(late.stanzaCondition).toBe("not-allowed");
    await quick.stop();
  });

  it("bounds 1,000 open sessions from one sender: five open, the rest refused or shed, the bot keeps answering", async () => {
    // Phase 1, within the core's per-sender IQ budget (a burst of 100): the plugin's own bound.
    const first = await Promise.allSettled(
      Array.from({ length: 100 }, () => aliceCommands.execute(botJid, "profile")),
    );
    const opened = first.filter((o) => o.status === "fulfilled");
    const refused = first.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(opened).toHaveLength(5);
    expect(refused).toHaveLength(95);
    const reason = refused[0]!.reason as CommandsError;
    expect(reason.condition).toBe("resource-constraint");
    expect(reason.message).toMatch(/too many open command sessions \(at most 5\)/u);
    // Phase 2, 900 more at once: past the budget the core refuses once a second and sheds the
    // rest (they time out at the sender); nothing new opens and the bot stays responsive.
    const flooder = clientFor(server, "alice");
    clients.push(flooder);
    const floodCommands = flooder.use(commands, { allowed: isOwner, requestTimeout: 3_000 });
    await flooder.start();
    const flood = await Promise.allSettled(
      Array.from({ length: 900 }, () => floodCommands.execute(botJid, "profile")),
    );
    expect(flood.every((o) => o.status === "rejected")).toBe(true);
    // A refusal is a CommandsError (`resource-constraint`); a shed request times out (`timeout`).
    const conditions = new Set(
      flood.map((o) => {
        const error = (o as PromiseRejectedResult).reason as CommandsError;
        return error.condition ?? error.code;
      }),
    );
    expect([...conditions].every((c) => c === "resource-constraint" || c === "timeout")).toBe(true);
    expect(botCommands.openSessions()).toBe(5);
    // Another requester is unaffected; the bot still answers.
    expect((await bobCommands.execute(botJid, "ping")).notes[0]?.text).toBe("pong");
    for (const o of opened)
      await aliceCommands.cancel(
        (o as PromiseFulfilledResult<Awaited<ReturnType<CommandsHandle["execute"]>>>).value,
      );
    expect(botCommands.openSessions()).toBe(0);
  }, 120_000);
});

describe.skipIf(!hasProfanity())("a real client: profanity in tmux", () => {
  let profanity: Profanity;

  beforeAll(async () => {
    profanity = await startProfanity("carol@localhost", "carol", server.c2sPort);
  }, 60_000);

  afterAll(async () => {
    await profanity?.stop();
  });

  it("/cmd list shows the commands carol may see, not the others", async () => {
    await profanity.clear();
    await profanity.type(`/cmd list ${botJid}`);
    // The list ends with an empty "!" line.
    const screen = await profanity.waitFor(/Ad hoc commands:\n(\S+ ! {3}\S+\n)+\S+ !\n/u);
    expect(screen).toMatch(/^\S+ ! {3}ping$/mu);
    expect(screen).toMatch(/^\S+ ! {3}profile$/mu);
    expect(screen).not.toMatch(/shutdown/u);
  });

  it("/cmd exec runs a single-stage command", async () => {
    await profanity.clear();
    await profanity.type(`/cmd exec ping ${botJid}`);
    await profanity.waitFor(/ping completed[\s\S]*pong/u);
  });

  it("/cmd exec runs a form: missing required field refused, then filled in and submitted", async () => {
    const before = saved.length;
    await profanity.clear();
    await profanity.type(`/cmd exec profile ${botJid}`);
    await profanity.waitFor(/\[field1\] Name \(required\)/u);
    await profanity.type("/form submit");
    await profanity.waitFor(
      /Error executing command profile: bad-payload: Name: a value is required/u,
    );
    // Start again and fill it in properly (profanity leaves the first session to time out).
    await profanity.clear();
    await profanity.type(`/cmd exec profile ${botJid}`);
    await profanity.waitFor(/\[field1\] Name \(required\)/u);
    await profanity.type("/field1 Carol");
    await profanity.type("/field2 40");
    await profanity.clear();
    await profanity.type("/form submit");
    await profanity.waitFor(/\[field1\] Notify me \(required\)/u);
    await profanity.type("/field1 on");
    await profanity.type("/form submit");
    await profanity.waitFor(/Saved Carol/u);
    expect(saved.slice(before)).toEqual([{ name: "Carol", age: "40", notify: true, mode: "safe" }]);
  });

  it("/cmd exec of a command carol may not see is refused", async () => {
    await profanity.clear();
    await profanity.type(`/cmd exec shutdown ${botJid}`);
    await profanity.waitFor(/Error executing command shutdown: you may not run this command/u);
  });
});
