/**
 * Native commands, exec approvals and agent questions of the XMPP channel
 * inside a real OpenClaw 2026.9.6 gateway (one gateway for the file) with the
 * mock model, against a real Prosody.
 *
 * alice is the owner (`allowFrom`); bob may chat (`dmAllowlist`) but has no
 * command authority. alice's scripted client lists the bot's XEP-0050
 * commands with `@clawxmpp/commands` and runs `/status` end to end; bob sees
 * no command and is refused. Exec approvals come from real agent turns: the
 * mock model calls the `exec` tool (`EXEC-<token>`) under `tools.exec.mode:
 * "ask"` (allowlist + ask on a miss, host gateway), the tool waits for a
 * decision and OpenClaw forwards the prompt to the chat (`approvals.exec`,
 * mode `session`): one is granted by alice's ✅ reaction (the command runs
 * and its result comes back through the model), another denied through the
 * "Answer an approval" form; each decision is read back from OpenClaw's
 * approval history (`approval.history`) and from the tool result the model
 * receives; bob's typed `/approve` leaves the tool waiting. Agent questions: the mock calls `ask_user`
 * (`ASK-<token>`); the question reaches the chat as text, alice answers one by
 * keycap reaction and another through the "Answer a question" form, and the
 * model's next request carries the answer. Hostile input: unknown session
 * ids, forms with wrong values or missing required fields, and 1,000 sessions
 * opened by one sender are refused clearly while the bot keeps answering.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type CommandsHandle, commands } from "@clawxmpp/commands";
import {
  type Client,
  definePlugin,
  type InboundMessage,
  type IqCaller,
  type StanzaError,
  xml,
} from "@clawxmpp/core";
import { type MarkersHandle, markers } from "@clawxmpp/markers";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { askingAgentConfig, type ChannelE2e, setUpChannelE2e } from "../e2e/channel-e2e.js";
import { clientFor, type ProsodyInstance } from "../src/index.js";
import { nextEvent } from "./helpers.js";

const NS_COMMANDS = "http://jabber.org/protocol/commands";
const NS_DATA = "jabber:x:data";
/** The channel's "Answer an approval" command. */
const APPROVAL_NODE = "xmpp/answer-approval";
/** The channel's "Answer a question" command. */
const QUESTION_NODE = "xmpp/answer-question";
let server: ProsodyInstance;
let e2e: ChannelE2e;
let alice: Client;
let bob: Client;
let aliceCommands: CommandsHandle;
let bobCommands: CommandsHandle;
let aliceMarkers: MarkersHandle;
let aliceIq: IqCaller;
let bot: string;
const timings: Record<string, number> = {};

const iqAccess = definePlugin("test-iq", (ctx) => {
  aliceIq = ctx.iq;
  return { stop() {} };
});

beforeAll(async () => {
  e2e = await setUpChannelE2e({ name: "commands", timings });
  ({ server, bot } = e2e);
  alice = clientFor(server, "alice");
  alice.use(iqAccess, {});
  aliceMarkers = alice.use(markers, {});
  aliceCommands = alice.use(commands, {});
  await alice.start();
  bob = clientFor(server, "bob");
  bobCommands = bob.use(commands, {});
  await bob.start();
  const started = Date.now();
  await e2e.startGateway({
    // The machine is shared: startup has been seen to take longer than the default 90 s.
    readyTimeoutMs: 240_000,
    config: {
      ...askingAgentConfig(`alice@${server.domain}`),
      // Debug lines reach the file log: OpenClaw says there when it ignores bob's `/approve`.
      logging: { level: "debug" },
    },
    channel: {
      dmPolicy: "allowlist",
      allowFrom: [`alice@${server.domain}`],
      dmAllowlist: [`bob@${server.domain}`],
    },
  });
  await e2e.waitForBotOnline(alice);
  timings["bot online after spawn"] = Date.now() - started;
}, 600_000);

afterAll(async () => {
  await e2e?.stop([alice, bob]);
}, 60_000);

/** The next message from the bot to `client` whose text matches. */
function fromBot(client: Client, pattern: RegExp, ms = 60_000) {
  return nextEvent<InboundMessage>(
    client,
    "message",
    (m) => m.from.bare === bot && pattern.test(m.body ?? ""),
    ms,
  );
}

/** On failure, prints what the model saw and did and the gateway's log. */
function dumpOnFailure() {
  onTestFailed(() => {
    const recent = e2e.mock.requests.slice(-6).map((r) => ({
      reply: r.reply.slice(0, 200),
      tools: r.tools.filter((t) => /exec|ask_user/u.test(t)),
      toolCall: r.toolCall?.name,
      toolResult: r.toolResult?.slice(0, 300),
    }));
    console.log(JSON.stringify(recent, null, 1));
    console.log(e2e.gateway?.logTail(120));
  });
}

/** Alice asks the agent for `EXEC-<token>`; resolves with the approval prompt and its id. */
async function agentExec(token: string): Promise<{ id: string; prompt: InboundMessage }> {
  const prompt = fromBot(
    alice,
    new RegExp(`approval required[\\s\\S]*exec-${token}`, "iu"),
    90_000,
  );
  await alice.send({ to: bot, type: "chat", body: `please EXEC-${token}` });
  const message = await prompt;
  const id = /\/approve (\S+)/u.exec(message.body ?? "")?.[1];
  expect(id, message.body).toBeDefined();
  return { id: id!, prompt: message };
}

/**
 * Alice asks the agent for `ASK-<token>`; resolves with the question in the chat (it comes in
 * about a second). When it does not come, the error says whether OpenClaw holds the question
 * (`question.list`): pending there but not in the chat means the prompt was lost on its way.
 */
async function agentAsks(token: string): Promise<InboundMessage> {
  const asked = fromBot(alice, new RegExp(`Which colour for ${token}\\?`, "u"), 30_000);
  await alice.send({ to: bot, type: "chat", body: `ASK-${token}` });
  try {
    return await asked;
  } catch (error) {
    const pending = await e2e.gateway!.call("question.list", {}).catch((e: unknown) => String(e));
    throw new Error(
      `the question for ${token} never reached alice; OpenClaw's pending questions: ${JSON.stringify(pending)}`,
      { cause: error },
    );
  }
}

/** OpenClaw's record of a decided approval (`approval.history`), as JSON text. */
async function decided(id: string): Promise<string> {
  const history = (await e2e.gateway!.call("approval.history", {})) as { items?: unknown[] };
  const item = history.items?.find((i) => JSON.stringify(i).includes(id));
  if (item === undefined) throw new Error(`approval ${id} not in ${JSON.stringify(history)}`);
  return JSON.stringify(item);
}

/** A pending approval: its id, the prompt alice received and OpenClaw's final decision. */
interface Approval {
  id: string;
  prompt: InboundMessage;
  /** The decision the gateway returns to the requester (null: expired). */
  decision: Promise<string | null>;
}

/**
 * Creates an exec approval for alice's session as the exec tool does: the gateway's
 * `exec.approval.request`, kept open until the decision (`--expect-final`), as a requester
 * that goes away takes its request with it.
 */
async function requestApproval(token: string): Promise<Approval> {
  const id = randomUUID();
  const prompt = fromBot(alice, new RegExp(`approval required[\\s\\S]*${id}`, "iu"), 90_000);
  const params = {
    id,
    command: `touch exec-${token}.done`,
    host: "gateway",
    cwd: e2e.workspace,
    agentId: "main",
    sessionKey: `agent:main:xmpp:direct:alice@${server.domain}`,
    turnSourceChannel: "xmpp",
    turnSourceTo: `alice@${server.domain}`,
    turnSourceAccountId: "default",
    timeoutMs: 240_000,
  };
  const final = e2e.gateway!.call("exec.approval.request", params, {
    expectFinal: true,
    timeoutMs: 250_000,
  });
  const decision = final.then(
    (result) => {
      const found = /"decision":\s*"(allow-once|allow-always|deny)"/u.exec(JSON.stringify(result));
      return found === null ? null : found[1]!;
    },
    () => null,
  );
  return { id, prompt: await prompt, decision };
}

async function failure(
  promise: Promise<unknown>,
): Promise<{ condition?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { condition?: string; message: string };
  }
  throw new Error("expected a failure");
}

/** A raw command IQ from alice (to send what our client side would refuse to build). */
function rawCommand(attrs: Record<string, string>, values?: Record<string, string>) {
  return aliceIq.set(
    xml(
      "command",
      { xmlns: NS_COMMANDS, ...attrs },
      values &&
        xml(
          "x",
          { xmlns: NS_DATA, type: "submit" },
          ...Object.entries(values).map(([name, value]) =>
            xml("field", { var: name }, xml("value", {}, value)),
          ),
        ),
    ),
    e2e.botFull,
    { timeout: 10_000 },
  );
}

/** The condition names of an IQ error (the defined condition and the XEP-0050 one). */
function conditions(error: unknown): string[] {
  const names = (error as Partial<StanzaError>).element
    ?.getChild("error")
    ?.getChildElements()
    .map((c) => c.name)
    .filter((n) => n !== "text");
  return names ?? [String((error as { condition?: string }).condition)];
}

describe("native commands and approvals in a real gateway", () => {
  it("the owner's client lists OpenClaw's commands; a non-owner sees none and is refused", async () => {
    let list: { node: string; name: string }[] = [];
    const started = Date.now();
    while (Date.now() - started < 30_000) {
      list = await aliceCommands.list(e2e.botFull);
      if (list.some((c) => c.node === "openclaw/status")) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    timings["command list"] = Date.now() - started;
    const nodes = list.map((c) => c.node);
    expect(nodes).toContain("openclaw/status");
    expect(nodes).toContain(APPROVAL_NODE);
    expect(nodes.length).toBeGreaterThan(5);
    expect(list.find((c) => c.node === "openclaw/status")?.name).toMatch(/^\/status/u);
    expect(await bobCommands.list(e2e.botFull)).toEqual([]);
    const refused = await failure(bobCommands.execute(e2e.botFull, "openclaw/status"));
    expect(refused.condition).toBe("forbidden");
  }, 60_000);

  it("runs /status end to end: the result comes back in the command and in the chat", async () => {
    const started = Date.now();
    const inChat = fromBot(alice, /\S/u);
    let done = await aliceCommands.execute(e2e.botFull, "openclaw/status");
    // `/status` takes optional arguments: its form is submitted as shown.
    if (done.status === "executing") done = await aliceCommands.complete(done, {});
    timings["/status command"] = Date.now() - started;
    expect(done.status).toBe("completed");
    const text = done.notes.map((n) => n.text).join("\n");
    expect(text, text).toMatch(/mock\/echo|echo/u);
    // The same reply reached alice's chat with the bot.
    expect(text).toContain((await inChat).body?.slice(0, 40));
  }, 90_000);

  it("an agent's exec approval granted by ✅ reaction runs the command; bob's /approve changed nothing", async () => {
    dumpOnFailure();
    // Approvals are forwarded to the session's last route: alice has talked to the agent.
    const started = Date.now();
    const pong = fromBot(alice, /PONG-warm/u, 90_000);
    await alice.send({ to: bot, type: "chat", body: "hello PING-warm" });
    await pong;
    timings["first agent reply"] = Date.now() - started;
    const { id, prompt } = await agentExec("grant1");
    timings["approval prompt"] = Date.now() - started;
    const body = prompt.body ?? "";
    expect(body).toMatch(/React ✅ allow once/u);
    expect(body).toContain(`/approve ${id}`);
    // bob has no authority: OpenClaw does not take his /approve; the exec tool keeps waiting
    // (the model has not been given its result).
    // OpenClaw answers him or (as 2026.9.6 does) ignores him, saying so in its debug log: either
    // way his command has been handled, with no fixed wait for "nothing".
    const logFrom = e2e.gateway!.logSize();
    const bobAnswer = nextEvent<InboundMessage>(bob, "message", (m) => m.from.bare === bot, 60_000);
    bobAnswer.catch(() => undefined);
    await bob.send({ to: bot, type: "chat", body: `/approve ${id} allow-once` });
    await Promise.race([
      bobAnswer,
      e2e.gateway!.waitForLog(/Ignoring \/approve from unauthorized sender: [^"\n]*bob@/u, {
        from: logFrom,
        timeoutMs: 60_000,
      }),
    ]);
    expect(e2e.mock.requests.some((r) => r.reply.startsWith("EXEC-RESULT-grant1"))).toBe(false);
    const confirmed = fromBot(alice, new RegExp(`allowed once[\\s\\S]*${id}`, "iu"), 60_000);
    const result = fromBot(alice, /EXEC-RESULT-grant1/u, 90_000);
    await aliceMarkers.reactTo(prompt, ["✅"]);
    expect((await confirmed).body).toMatch(/^✅/u);
    // The command ran and the agent's turn went on with its result, which reached the chat.
    await result;
    timings["approved by reaction, result in chat"] = Date.now() - started;
    expect(existsSync(join(e2e.workspace, "exec-grant1.done"))).toBe(true);
    const seen = e2e.mock.requests.find((r) => r.reply.startsWith("EXEC-RESULT-grant1"));
    expect(seen?.toolResult).toBeDefined();
    expect(seen?.toolResult).not.toMatch(/denied/iu);
    expect(await decided(id)).toMatch(/allow-once/u);
  }, 240_000);

  it("an agent's exec approval denied through the form: nothing runs, the agent hears the denial", async () => {
    dumpOnFailure();
    const { id } = await agentExec("deny1");
    const result = fromBot(alice, /EXEC-RESULT-deny1/u, 90_000);
    const form = await aliceCommands.execute(e2e.botFull, APPROVAL_NODE);
    expect(form.status).toBe("executing");
    const field = form.form?.fields.find((f) => f.var === "approval");
    expect(field?.options?.map((o) => o.value)).toContain(id);
    const done = await aliceCommands.complete(form, { approval: id, decision: "deny" });
    expect(done.status).toBe("completed");
    expect(done.notes.map((n) => n.text).join("\n")).toMatch(/den/iu);
    expect((await result).body).toMatch(/denied/iu);
    expect(existsSync(join(e2e.workspace, "exec-deny1.done"))).toBe(false);
    expect(await decided(id)).toMatch(/deny/u);
  }, 180_000);

  it("agent questions: one answered by keycap reaction, another through the form; the turn continues", async () => {
    dumpOnFailure();
    const started = Date.now();
    const question = await agentAsks("q1");
    timings["question in chat"] = Date.now() - started;
    expect(question.body).toMatch(/1\. Red\n2\. Blue/u);
    expect(question.body).toContain("React 1️⃣ 2️⃣ to choose");
    const first = fromBot(alice, /ASK-RESULT-q1:/u, 90_000);
    await aliceMarkers.reactTo(question, ["2️⃣"]);
    expect((await first).body).toMatch(/Blue/u);
    timings["question answered by reaction"] = Date.now() - started;
    const seen = (t: string) =>
      e2e.mock.requests.find((r) => r.reply.startsWith(`ASK-RESULT-${t}:`));
    expect(seen("q1")?.toolResult).toMatch(/Colour: Blue/u);
    // Asked right after the answer's result, while OpenClaw may still be finishing the answer's
    // turn: the channel holds this message until that turn has ended (conversation-queue.ts).
    await agentAsks("q2");
    const second = fromBot(alice, /ASK-RESULT-q2:/u, 90_000);
    const form = await aliceCommands.execute(e2e.botFull, QUESTION_NODE);
    expect(form.status).toBe("executing");
    const choice = form.form?.fields.find((f) => f.var === "choice");
    expect(choice?.options?.map((o) => o.label)).toEqual(["Red", "Blue"]);
    const done = await aliceCommands.complete(form, { choice: "1" });
    expect(done.status).toBe("completed");
    expect((await second).body).toMatch(/Red/u);
    expect(seen("q2")?.toolResult).toMatch(/Colour: Red/u);
    timings["question answered by form"] = Date.now() - started;
  }, 240_000);

  it("bad input: unknown sessions, wrong or missing form values, 1,000 sessions — clear errors, bot still answers", async () => {
    const unknown = await failure(
      rawCommand({ node: APPROVAL_NODE, sessionid: "nope", action: "next" }),
    );
    expect(conditions(unknown)).toEqual(["bad-request", "bad-sessionid"]);
    const flood = await requestApproval("flood1");
    const form = await aliceCommands.execute(e2e.botFull, APPROVAL_NODE);
    const sessionid = form.sessionId!;
    const complete = (values: Record<string, string>) =>
      failure(rawCommand({ node: APPROVAL_NODE, sessionid, action: "complete" }, values));
    const missing = await complete({});
    expect(conditions(missing)).toEqual(["bad-request", "bad-payload"]);
    expect(missing.message).toMatch(/Decision: a value is required/u);
    const wrong = await complete({ approval: flood.id, decision: "maybe" });
    expect(conditions(wrong)).toEqual(["bad-request", "bad-payload"]);
    expect(wrong.message).toMatch(/maybe/u);
    await aliceCommands.cancel(form);
    const started = Date.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 1_000 }, () => rawCommand({ node: APPROVAL_NODE, action: "execute" })),
    );
    timings["1,000 executes"] = Date.now() - started;
    // At most the per-requester bound opens; the rest are refused (by the command bound or the
    // client's per-sender IQ budget, which then ignores the sender for a while).
    const opened = outcomes.filter((o) => o.status === "fulfilled").length;
    expect(opened).toBeGreaterThan(0);
    expect(opened).toBeLessThanOrEqual(5);
    const reasons = new Set(
      outcomes.flatMap((o) => (o.status === "rejected" ? conditions(o.reason) : [])),
    );
    expect([...reasons].filter((r) => !/resource-constraint|timeout|undefined/u.test(r))).toEqual(
      [],
    );
    // The bot keeps answering others.
    expect(await bobCommands.list(e2e.botFull)).toEqual([]);
    // Clean up: alice types the deny line (a message, not an IQ); OpenClaw records it.
    await alice.send({ to: bot, type: "chat", body: `/approve ${flood.id} deny` });
    expect(await flood.decision).toBe("deny");
  }, 240_000);
});
