import { NS_COMMANDS, NS_DATA, NS_DISCO_ITEMS } from "@clawxmpp/commands";
import { type Client, createClient, type Element, silentLogger, xml } from "@clawxmpp/core";
import { markers as markersPlugin } from "@clawxmpp/markers";
import { type FakeServer, fakeServer, iq, until } from "@clawxmpp/test";
import { afterEach, describe, expect, it } from "vitest";
import { parseXmppChannelConfig, resolveXmppAccount } from "./accounts.js";
import { APPROVAL_NODE } from "./approval-command.js";
import { type ChannelCommands, startChannelCommands } from "./channel-commands.js";
import type { InboundOutcome } from "./inbound.js";
import type { NativeCommandSpec } from "./native-commands.js";
import type { ReplyPayload } from "./openclaw-sdk.js";
import { QUESTION_NODE } from "./question-command.js";

const ME = "bot@x.test";
const OWNER = "owner@x.test/phone";
const STRANGER = "eve@x.test/pc";

const SPECS: NativeCommandSpec[] = [
  { name: "status", description: "Show status", acceptsArgs: false },
  {
    name: "think",
    description: "Set thinking",
    acceptsArgs: true,
    args: [{ name: "level", description: "Level", type: "string", choices: ["off", "high"] }],
  },
  { name: "st", description: "alias", acceptsArgs: false, isAlias: true },
];

let active: Client[] = [];
afterEach(async () => {
  await Promise.all(active.map((c) => c.stop()));
  active = [];
});

async function setup(raw: Record<string, unknown> = {}) {
  const server = fakeServer({ jid: `${ME}/openclaw` });
  const client = createClient({
    jid: ME,
    password: "x",
    transport: server.factory,
    keepalive: { interval: 0 },
    archive: { catchUp: false },
    iqBudget: { burst: 100_000 },
  });
  active.push(client);
  const account = resolveXmppAccount(
    parseXmppChannelConfig({ jid: ME, password: "x", allowFrom: ["owner@x.test"], ...raw }),
  );
  const markers = client.use(markersPlugin, {});
  const lines: { sender: string; line: string }[] = [];
  const inbound = {
    async command(sender: string, line: string, observe?: (p: ReplyPayload) => void) {
      lines.push({ sender, line });
      observe?.({ text: `ran ${line}` });
      return { kind: "dispatched", conversation: sender } as InboundOutcome;
    },
  };
  const started = startChannelCommands({
    client,
    account,
    markers,
    inbound,
    logger: silentLogger,
    specs: async () => SPECS,
  }) as ChannelCommands;
  await client.start();
  await until(() => started.commands.openSessions() === 0);
  return { server, client, lines, started };
}

async function ask(server: FakeServer, from: string, child: Element, type: "get" | "set" = "set") {
  const id = `q-${Math.random().toString(36).slice(2)}`;
  const answer = server.nextSent((el) => el.name === "iq" && el.attrs.id === id);
  server.receive(iq(type, { from, to: `${ME}/openclaw`, id }, child));
  return answer;
}

const list = (server: FakeServer, from: string) =>
  ask(server, from, xml("query", { xmlns: NS_DISCO_ITEMS, node: NS_COMMANDS }), "get").then(
    (answer) =>
      answer
        .getChild("query", NS_DISCO_ITEMS)
        ?.getChildren("item")
        .map((item) => item.attrs.node),
  );

const command = (attrs: Record<string, string>, ...children: Element[]) =>
  xml("command", { xmlns: NS_COMMANDS, ...attrs }, ...children);

const submit = (values: Record<string, string>) =>
  xml(
    "x",
    { xmlns: NS_DATA, type: "submit" },
    ...Object.entries(values).map(([name, value]) =>
      xml("field", { var: name }, xml("value", {}, value)),
    ),
  );

const condition = (stanza: Element) =>
  stanza
    .getChild("error")
    ?.getChildElements()
    .map((c) => c.name)
    .filter((n) => n !== "text");

const PROMPT = [
  "Approval required.",
  "```txt\n/approve k9 allow-once\n```",
  "Pending command:",
  "```sh\nrm -rf /tmp/x\n```",
  "```txt\n/approve k9 allow-always\n/approve k9 deny\n```",
  "Expires in: 30m",
].join("\n\n");

async function sendPrompt(server: FakeServer, client: Client) {
  const out = server.nextSent((el) => el.name === "message" && el.getChildText("body") !== null);
  await client.send({ to: "owner@x.test", type: "chat", body: PROMPT });
  return out;
}

function react(server: FakeServer, from: string, targetId: string, emoji: string) {
  server.receive(
    xml(
      "message",
      { from, to: `${ME}/openclaw`, type: "chat", id: `r-${Math.random()}` },
      xml("reactions", { xmlns: "urn:xmpp:reactions:0", id: targetId }, xml("reaction", {}, emoji)),
    ),
  );
}

describe("native commands as ad-hoc commands", () => {
  it("lists OpenClaw's commands (no aliases) and the approval form to owners only", async () => {
    const { server } = await setup();
    await until(async () => ((await list(server, OWNER)) ?? []).length > 0);
    expect(await list(server, OWNER)).toEqual([
      QUESTION_NODE,
      APPROVAL_NODE,
      "openclaw/status",
      "openclaw/think",
    ]);
    expect(await list(server, STRANGER)).toEqual([]);
  });

  it("runs a command as the owner's turn and returns its replies", async () => {
    const { server, lines } = await setup();
    await until(async () => ((await list(server, OWNER)) ?? []).length > 0);
    const done = await ask(server, OWNER, command({ node: "openclaw/status", action: "execute" }));
    const result = done.getChild("command", NS_COMMANDS);
    expect(result?.attrs.status).toBe("completed");
    expect(result?.getChildText("note")).toBe("ran /status");
    expect(lines).toEqual([{ sender: "owner@x.test", line: "/status" }]);
  });

  it("asks for arguments with a form, refuses a value not offered, then runs", async () => {
    const { server, lines } = await setup();
    await until(async () => ((await list(server, OWNER)) ?? []).length > 0);
    const first = (
      await ask(server, OWNER, command({ node: "openclaw/think", action: "execute" }))
    ).getChild("command", NS_COMMANDS)!;
    expect(first.attrs.status).toBe("executing");
    const sessionid = first.attrs.sessionid!;
    const bad = await ask(
      server,
      OWNER,
      command({ node: "openclaw/think", sessionid, action: "complete" }, submit({ level: "max" })),
    );
    expect(condition(bad)).toEqual(["bad-request", "bad-payload"]);
    const ok = await ask(
      server,
      OWNER,
      command({ node: "openclaw/think", sessionid, action: "complete" }, submit({ level: "high" })),
    );
    expect(ok.getChild("command", NS_COMMANDS)?.attrs.status).toBe("completed");
    expect(lines.map((l) => l.line)).toEqual(["/think high"]);
  });

  it("refuses strangers, unknown session ids and floods of sessions without growing", async () => {
    const { server, lines, started } = await setup();
    await until(async () => ((await list(server, OWNER)) ?? []).length > 0);
    const refused = await ask(server, STRANGER, command({ node: "openclaw/status" }));
    expect(condition(refused)).toEqual(["forbidden"]);
    const unknown = await ask(
      server,
      OWNER,
      command({ node: "openclaw/think", sessionid: "nope", action: "next" }),
    );
    expect(condition(unknown)).toEqual(["bad-request", "bad-sessionid"]);
    const answers = await Promise.all(
      Array.from({ length: 1_000 }, () =>
        ask(server, OWNER, command({ node: "openclaw/think", action: "execute" })),
      ),
    );
    expect(answers.filter((a) => a.attrs.type === "result")).toHaveLength(5);
    expect(started.commands.openSessions()).toBe(5);
    expect(lines).toEqual([]);
  });

  it("serves nothing when adHocCommands.enabled is false", async () => {
    const server = fakeServer({ jid: `${ME}/openclaw` });
    const client = createClient({ jid: ME, password: "x", transport: server.factory });
    active.push(client);
    const account = resolveXmppAccount(
      parseXmppChannelConfig({ jid: ME, password: "x", adHocCommands: { enabled: false } }),
    );
    expect(
      startChannelCommands({
        client,
        account,
        markers: undefined,
        inbound: { command: async () => ({ kind: "ignored", reason: "x" }) },
        logger: silentLogger,
        specs: async () => SPECS,
      }),
    ).toBeUndefined();
  });
});

describe("exec approvals", () => {
  it("adds the reaction line to a prompt and answers an owner's ✅ with /approve", async () => {
    const { server, client, lines, started } = await setup();
    const sent = await sendPrompt(server, client);
    expect(sent.getChildText("body")).toContain("React ✅ allow once, ♾️ allow always, ❌ deny");
    expect(started.approvals.get("k9")?.command).toBe("rm -rf /tmp/x");
    // A prompt in a non-owner's chat (their own session asked) cannot be answered by them.
    const theirs = server.nextSent((el) => el.attrs.to === "eve@x.test");
    await client.send({ to: "eve@x.test", type: "chat", body: PROMPT.replaceAll("k9", "e1") });
    react(server, STRANGER, (await theirs).attrs.id!, "✅");
    const refusal = await server.nextSent((el) => el.attrs.to === "eve@x.test");
    expect(refusal.getChildText("body")).toMatch(/only the bot's owners/iu);
    react(server, OWNER, sent.attrs.id!, "✅");
    await until(() => lines.length === 1);
    expect(lines[0]).toEqual({ sender: "owner@x.test", line: "/approve k9 allow-once" });
    react(server, OWNER, sent.attrs.id!, "❌");
    const late = await server.nextSent((el) => el.attrs.to === "owner@x.test");
    expect(late.getChildText("body")).toMatch(/already answered/u);
    expect(lines).toHaveLength(1);
  });

  it("marks an expired prompt expired (XEP-0308) and answers a late reaction so", async () => {
    const { server, client, lines } = await setup();
    const sent = server.nextSent((el) => el.getChildText("body")?.includes("/approve x1") ?? false);
    const short = PROMPT.replaceAll("k9", "x1").replace("Expires in: 30m", "Expires in: 1s");
    await client.send({ to: "owner@x.test", type: "chat", body: short });
    const id = (await sent).attrs.id!;
    const correction = await server.nextSent(
      (el) => el.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id === id,
    );
    expect(correction.getChildText("body")).toMatch(/^⌛ Approval request x1 expired/u);
    react(server, OWNER, id, "✅");
    const late = await server.nextSent((el) => /has expired/u.test(el.getChildText("body") ?? ""));
    expect(late.attrs.to).toBe("owner@x.test");
    expect(lines).toEqual([]);
  });

  it("tracks the forwarder's prompt and stops when OpenClaw announces the decision", async () => {
    const { server, client, started } = await setup();
    const out = server.nextSent((el) => el.getChildText("body")?.startsWith("🔒") ?? false);
    await client.send({
      to: "owner@x.test",
      type: "chat",
      body: "🔒 Exec approval required\nID: f1\nCommand: `ls`\nReply with: /approve f1 allow-once|deny",
    });
    expect((await out).getChildText("body")).toMatch(/React ✅ allow once, ❌ deny/u);
    expect(started.approvals.get("f1")?.decisions).toEqual(["allow-once", "deny"]);
    await client.send({
      to: "owner@x.test",
      type: "chat",
      body: "✅ Exec approval allowed once. Resolved by alice. ID: f1",
    });
    await until(() => started.approvals.get("f1") === undefined);
  });

  it("answers through the form; bad decisions and missing fields are refused per field", async () => {
    const { server, client, lines } = await setup();
    await sendPrompt(server, client);
    const first = (
      await ask(server, OWNER, command({ node: APPROVAL_NODE, action: "execute" }))
    ).getChild("command", NS_COMMANDS)!;
    const sessionid = first.attrs.sessionid!;
    const answer = (values: Record<string, string>) =>
      ask(
        server,
        OWNER,
        command({ node: APPROVAL_NODE, sessionid, action: "complete" }, submit(values)),
      );
    const missing = await answer({ approval: "k9" });
    expect(condition(missing)).toEqual(["bad-request", "bad-payload"]);
    expect(missing.getChild("error")?.getChildText("text")).toMatch(
      /Decision: a value is required/u,
    );
    expect(condition(await answer({ approval: "k9", decision: "maybe" }))).toEqual([
      "bad-request",
      "bad-payload",
    ]);
    const done = await answer({ approval: "k9", decision: "deny" });
    expect(done.getChild("command", NS_COMMANDS)?.getChildText("note")).toBe(
      "ran /approve k9 deny",
    );
    expect(lines.map((l) => l.line)).toEqual(["/approve k9 deny"]);
    const empty = await ask(server, OWNER, command({ node: APPROVAL_NODE, action: "execute" }));
    expect(empty.getChild("command", NS_COMMANDS)?.getChildText("note")).toBe(
      "No approval is waiting.",
    );
  });
});

/** A question laid out as OpenClaw 2026.9.6's `buildAgentHarnessQuestionPromptPayload` writes it. */
const QUESTION = [
  "Agent needs input:",
  "",
  "Deploy",
  "Which environment?",
  "1. staging - safe",
  "2. production",
  "Other: reply with your own answer.",
  "",
  "Reply with the number, the option text, or your own answer.",
].join("\n");

describe("agent questions", () => {
  it("adds the keycap line; an owner's 2️⃣ answers with the option's number", async () => {
    const { server, client, lines, started } = await setup();
    const out = server.nextSent((el) => el.getChildText("body")?.startsWith("Agent") ?? false);
    await client.send({ to: "owner@x.test", type: "chat", body: QUESTION });
    const sent = await out;
    expect(sent.getChildText("body")).toMatch(/React 1️⃣ 2️⃣ to choose/u);
    expect(started.questions.get("owner@x.test")?.options).toEqual(["staging", "production"]);
    react(server, OWNER, sent.attrs.id!, "7️⃣");
    react(server, OWNER, sent.attrs.id!, "2️⃣");
    await until(() => lines.length === 1);
    expect(lines[0]).toEqual({ sender: "owner@x.test", line: "2" });
    expect(started.questions.get("owner@x.test")).toBeUndefined();
  });

  it("answers through the form, by option or in the owner's own words", async () => {
    const { server, client, lines, started } = await setup();
    const none = await ask(server, OWNER, command({ node: QUESTION_NODE, action: "execute" }));
    expect(none.getChild("command", NS_COMMANDS)?.getChildText("note")).toBe(
      "No question is waiting.",
    );
    for (const values of [{ choice: "1" }, { other: "  the  lab " }]) {
      await client.send({ to: "owner@x.test", type: "chat", body: QUESTION });
      const first = (
        await ask(server, OWNER, command({ node: QUESTION_NODE, action: "execute" }))
      ).getChild("command", NS_COMMANDS)!;
      expect(first.attrs.status).toBe("executing");
      const done = await ask(
        server,
        OWNER,
        command(
          { node: QUESTION_NODE, sessionid: first.attrs.sessionid!, action: "complete" },
          submit(values),
        ),
      );
      expect(done.getChild("command", NS_COMMANDS)?.attrs.status).toBe("completed");
    }
    expect(lines.map((l) => l.line)).toEqual(["1", "the lab"]);
    // A typed reply answers it too: the form then has nothing to offer.
    await client.send({ to: "owner@x.test", type: "chat", body: QUESTION });
    server.receive(
      xml(
        "message",
        { from: OWNER, to: `${ME}/openclaw`, type: "chat", id: "t1" },
        xml("body", {}, "2"),
      ),
    );
    await until(() => started.questions.get("owner@x.test") === undefined);
  });
});
