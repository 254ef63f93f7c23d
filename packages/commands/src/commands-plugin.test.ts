import {
  type Client,
  type Clock,
  createClient,
  type Element,
  type Jid,
  StanzaError,
  silentLogger,
  xml,
} from "@clawxmpp/core";
import {
  type FakeClock,
  type FakeServer,
  fakeClock,
  fakeServer,
  flush,
  iq,
  testPluginConformance,
} from "@clawxmpp/test";
import { afterEach, describe, expect, it } from "vitest";
import { CommandRegistry } from "./command-registry.js";
import { completed, executing } from "./command-types.js";
import { CommandsError } from "./commands-error.js";
import type { CommandsHandle } from "./commands-handle.js";
import { type CommandsOptionsInput, commandsOptionsSchema } from "./commands-options.js";
import { commands } from "./commands-plugin.js";
import { booleanField, dataForm, listSingleField, textSingleField } from "./form-builder.js";
import { formElement } from "./form-element.js";
import { parseForm } from "./form-parse.js";
import { NS_COMMANDS, NS_DATA, NS_DISCO_ITEMS } from "./namespaces.js";

const ME = "bot@example.test";
const OWNER = "owner@example.test/phone";
const STRANGER = "eve@example.test/laptop";

testPluginConformance(commands, { options: { allowed: () => true } });

const profile = dataForm({
  title: "Profile",
  fields: [
    textSingleField("name", { required: true, label: "Name" }),
    textSingleField("age", { validate: { datatype: "xs:integer" } }),
  ],
});
const confirm = dataForm({
  title: "Confirm",
  fields: [booleanField("sure", { required: true }), listSingleField("mode", ["fast", "safe"])],
});

let active: Client[] = [];
afterEach(async () => {
  await Promise.all(active.map((c) => c.stop()));
  active = [];
});

interface Setup {
  server: FakeServer;
  client: Client;
  handle: CommandsHandle;
  clock: FakeClock;
  seen: { name: string; sure: boolean; mode: string | undefined }[];
}

function newClient(server: FakeServer, clock?: Clock): Client {
  const client = createClient({
    jid: ME,
    password: "x",
    transport: server.factory,
    keepalive: { interval: 0 },
    // These tests send thousands of IQs from one requester on a frozen clock: the core's own
    // per-sender budget (tested in @clawxmpp/test) would stop them before the plugin's bounds.
    iqBudget: { burst: 100_000 },
    ...(clock ? { clock } : {}),
  });
  active.push(client);
  return client;
}

async function setup(options: CommandsOptionsInput = {}): Promise<Setup> {
  const server = fakeServer({ jid: `${ME}/bot` });
  const clock = fakeClock();
  const client = newClient(server, clock);
  const handle = client.use(commands, {
    allowed: (requester: Jid) => requester.bare === "owner@example.test",
    ...options,
  });
  const seen: Setup["seen"] = [];
  handle.add({
    node: "profile",
    name: "Edit profile",
    run(request) {
      if (request.stage === 0) return executing(profile, { actions: ["next"] });
      if (request.stage === 1) {
        const values = request.valuesOf(profile);
        request.state.set("name", values.name);
        return executing(confirm, {
          actions: ["prev", "complete"],
          notes: [{ type: "info", text: `Hi ${values.name}` }],
        });
      }
      const values = request.valuesOf(confirm);
      seen.push({
        name: request.state.get("name") as string,
        sure: values.sure,
        mode: values.mode,
      });
      return completed(`saved ${String(request.state.get("name"))}`);
    },
  });
  handle.add({ node: "ping", name: "Ping", allowed: () => true, run: () => completed("pong") });
  await client.start();
  return { server, client, handle, clock, seen };
}

async function ask(server: FakeServer, from: string, child: Element, type: "get" | "set" = "set") {
  const id = `q-${Math.random().toString(36).slice(2)}`;
  const answer = server.nextSent((el) => el.name === "iq" && el.attrs.id === id);
  server.receive(iq(type, { from, to: `${ME}/bot`, id }, child));
  return answer;
}

function step(server: FakeServer, sessionid: string, action: string, ...children: Element[]) {
  return ask(server, OWNER, command({ node: "profile", sessionid, action }, ...children));
}

function command(attrs: Record<string, string>, ...children: Element[]): Element {
  return xml("command", { xmlns: NS_COMMANDS, ...attrs }, ...children);
}

function submitted(values: Record<string, string>): Element {
  return xml(
    "x",
    { xmlns: NS_DATA, type: "submit" },
    ...Object.entries(values).map(([name, value]) =>
      xml("field", { var: name }, xml("value", {}, value)),
    ),
  );
}

function errorOf(stanza: Element): {
  condition: string | undefined;
  text: string | undefined;
  type: string | undefined;
} {
  const error = stanza.getChild("error");
  return {
    type: error?.attrs.type,
    condition: error?.getChildElements().find((c) => c.name !== "text")?.name,
    text: error?.getChildText("text") ?? undefined,
  };
}

describe("serving commands (XEP-0050)", () => {
  it("lists only the commands the requester may see (§2.2) and advertises the feature", async () => {
    const { server } = await setup();
    const query = xml("query", { xmlns: NS_DISCO_ITEMS, node: NS_COMMANDS });
    const owner = await ask(server, OWNER, query, "get");
    const items = owner.getChild("query")?.getChildren("item") ?? [];
    expect(items.map((i) => [i.attrs.node, i.attrs.name, i.attrs.jid])).toEqual([
      ["profile", "Edit profile", `${ME}/bot`],
      ["ping", "Ping", `${ME}/bot`],
    ]);
    const stranger = await ask(server, STRANGER, query, "get");
    expect(
      stranger
        .getChild("query")
        ?.getChildren("item")
        .map((i) => i.attrs.node),
    ).toEqual(["ping"]);
    const info = await ask(
      server,
      OWNER,
      xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }),
      "get",
    );
    const features = info
      .getChild("query")
      ?.getChildren("feature")
      .map((f) => f.attrs.var);
    expect(features).toContain(NS_COMMANDS);
    expect(features).toContain(NS_DATA);
    const other = await ask(
      server,
      OWNER,
      xml("query", { xmlns: NS_DISCO_ITEMS, node: "x" }),
      "get",
    );
    expect(errorOf(other).condition).toBe("item-not-found");
  });

  it("runs a multi-stage command with forms, prev and complete (§3.4)", async () => {
    const { server, handle, seen } = await setup();
    const first = await ask(server, OWNER, command({ node: "profile", action: "execute" }));
    const cmd = first.getChild("command", NS_COMMANDS)!;
    expect(cmd.attrs.status).toBe("executing");
    const sid = cmd.attrs.sessionid!;
    expect(cmd.getChild("actions")?.attrs.execute).toBe("next");
    expect(parseForm(cmd.getChild("x", NS_DATA)!).title).toBe("Profile");
    expect(handle.openSessions()).toBe(1);

    const second = await step(server, sid, "next", submitted({ name: "Ann", age: "30" }));
    const cmd2 = second.getChild("command", NS_COMMANDS)!;
    expect(
      cmd2
        .getChild("actions")
        ?.getChildElements()
        .map((a) => a.name),
    ).toEqual(["prev", "complete"]);
    expect(cmd2.getChildText("note")).toBe("Hi Ann");

    const back = await step(server, sid, "prev");
    expect(parseForm(back.getChild("command")!.getChild("x", NS_DATA)!).title).toBe("Profile");
    await step(server, sid, "next", submitted({ name: "Bo" }));

    // Plain `execute` means the stage's default action: complete here.
    const done = await ask(
      server,
      OWNER,
      command({ node: "profile", sessionid: sid }, submitted({ sure: "1", mode: "safe" })),
    );
    const cmd3 = done.getChild("command", NS_COMMANDS)!;
    expect(cmd3.attrs.status).toBe("completed");
    expect(cmd3.getChildText("note")).toBe("saved Bo");
    expect(seen).toEqual([{ name: "Bo", sure: true, mode: "safe" }]);
    expect(handle.openSessions()).toBe(0);
  });

  it("answers a bad submission with bad-payload naming each field, and keeps the session", async () => {
    const { server } = await setup();
    const first = await ask(server, OWNER, command({ node: "profile" }));
    const sid = first.getChild("command")!.attrs.sessionid!;
    const bad = await step(server, sid, "next", submitted({ age: "old" }));
    expect(errorOf(bad)).toEqual({
      type: "modify",
      condition: "bad-request",
      text: "bad-payload: Name: a value is required; age: is not a valid xs:integer",
    });
    const ok = await step(server, sid, "next", submitted({ name: "A" }));
    expect(ok.attrs.type).toBe("result");
    const wrongType = await step(server, sid, "complete", submitted({ sure: "perhaps" }));
    expect(errorOf(wrongType).text).toMatch(/^bad-payload: sure: "perhaps" is not a boolean/u);
  });

  it("answers disco#info on the command list and on a visible command's node (§2.3)", async () => {
    const { server } = await setup();
    const info = (node: string, from = OWNER) =>
      ask(
        server,
        from,
        xml("query", { xmlns: "http://jabber.org/protocol/disco#info", node }),
        "get",
      );
    const list = await info(NS_COMMANDS);
    expect(list.getChild("query")?.getChild("identity")?.attrs).toMatchObject({
      category: "automation",
      type: "command-list",
    });
    const profile = await info("profile");
    expect(profile.attrs.type).toBe("result");
    expect(profile.getChild("query")?.getChild("identity")?.attrs.category).toBe("automation");
    const hidden = await info("profile", STRANGER);
    expect(errorOf(hidden).condition).toBe("item-not-found");
  });

  it("answers unknown, foreign and expired session ids with bad-sessionid / session-expired (§4.6)", async () => {
    const { server, clock, handle } = await setup();
    const unknown = await ask(
      server,
      OWNER,
      command({ node: "profile", sessionid: "nope", action: "next" }),
    );
    expect(errorOf(unknown)).toMatchObject({
      condition: "bad-request",
      text: "bad-sessionid: unknown session",
    });
    // The XEP-0050 §4.6 condition element itself is on the wire too (RFC 6120 §8.3.2).
    expect(unknown.getChild("error")?.getChild("bad-sessionid", NS_COMMANDS)).toBeDefined();
    const first = await ask(server, OWNER, command({ node: "profile" }));
    const sid = first.getChild("command")!.attrs.sessionid!;
    const otherResource = await ask(
      server,
      "owner@example.test/desktop",
      command({ node: "profile", sessionid: sid, action: "cancel" }),
    );
    expect(errorOf(otherResource).text).toMatch(/^bad-sessionid/u);
    const noSession = await ask(server, OWNER, command({ node: "profile", action: "next" }));
    expect(errorOf(noSession).text).toMatch(/^bad-sessionid/u);
    clock.advance(600_000);
    expect(handle.openSessions()).toBe(0);
    const late = await step(server, sid, "next");
    expect(errorOf(late)).toMatchObject({
      condition: "not-allowed",
      text: "session-expired: the session expired",
    });
  });

  it("remembers only rememberExpired expired ids; older ones are plain unknown sessions", async () => {
    const { server, clock, handle } = await setup({ rememberExpired: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const first = await ask(server, OWNER, command({ node: "profile" }));
      ids.push(first.getChild("command")!.attrs.sessionid!);
      clock.advance(1);
    }
    clock.advance(600_000);
    expect(handle.openSessions()).toBe(0);
    const texts = [];
    for (const sid of ids) texts.push(errorOf(await step(server, sid, "next")).text);
    expect(texts).toEqual([
      "bad-sessionid: unknown session",
      "session-expired: the session expired",
      "session-expired: the session expired",
    ]);
    // The expired slots are free again.
    const again = await ask(server, OWNER, command({ node: "profile" }));
    expect(again.attrs.type).toBe("result");
  });

  it("answers an oversized submitted form with bad-payload and stays up", async () => {
    const { server } = await setup();
    const first = await ask(server, OWNER, command({ node: "profile" }));
    const sid = first.getChild("command")!.attrs.sessionid!;
    const huge = xml(
      "x",
      { xmlns: NS_DATA, type: "submit" },
      ...Array.from({ length: 5_000 }, (_, i) =>
        xml("field", { var: `f${i}` }, xml("value", {}, "x")),
      ),
    );
    const answer = await step(server, sid, "next", huge);
    expect(errorOf(answer).text).toBe("bad-payload: malformed data form: more than 200 fields");
    const ok = await step(server, sid, "next", submitted({ name: "Still here" }));
    expect(ok.attrs.type).toBe("result");
  });

  it("refuses actions the stage does not offer (bad-action) and unknown actions (malformed-action)", async () => {
    const { server } = await setup();
    const first = await ask(server, OWNER, command({ node: "profile" }));
    const sid = first.getChild("command")!.attrs.sessionid!;
    const prev = await step(server, sid, "prev");
    expect(errorOf(prev).text).toMatch(/^bad-action/u);
    const weird = await step(server, sid, "jump");
    expect(errorOf(weird).text).toMatch(/^malformed-action/u);
  });

  it("cancels a session, by action or by a cancel form", async () => {
    const { server, handle } = await setup();
    const a = await ask(server, OWNER, command({ node: "profile" }));
    const sidA = a.getChild("command")!.attrs.sessionid!;
    const canceled = await step(server, sidA, "cancel");
    expect(canceled.getChild("command")?.attrs.status).toBe("canceled");
    const b = await ask(server, OWNER, command({ node: "profile" }));
    const sidB = b.getChild("command")!.attrs.sessionid!;
    const byForm = await step(server, sidB, "next", xml("x", { xmlns: NS_DATA, type: "cancel" }));
    expect(byForm.getChild("command")?.attrs.status).toBe("canceled");
    expect(handle.openSessions()).toBe(0);
    const again = await step(server, sidA, "next");
    expect(errorOf(again).text).toMatch(/^bad-sessionid/u);
  });

  it("forbids a requester the visibility rule refuses, and unknown nodes are item-not-found", async () => {
    const { server } = await setup();
    const denied = await ask(server, STRANGER, command({ node: "profile" }));
    expect(errorOf(denied)).toMatchObject({ condition: "forbidden", type: "auth" });
    const missing = await ask(server, OWNER, command({ node: "nope" }));
    expect(errorOf(missing).condition).toBe("item-not-found");
  });

  it("bounds open sessions: 1,000 executes from one sender open only the per-requester limit", async () => {
    const { server, handle } = await setup({ maxSessionsPerRequester: 5, maxSessions: 8 });
    const answers: Element[] = [];
    for (let i = 0; i < 1_000; i++)
      answers.push(await ask(server, OWNER, command({ node: "profile" })));
    expect(answers.filter((a) => a.attrs.type === "result")).toHaveLength(5);
    const refused = answers.filter((a) => a.attrs.type === "error");
    expect(refused).toHaveLength(995);
    expect(errorOf(refused[0]!)).toEqual({
      type: "wait",
      condition: "resource-constraint",
      text: "too many open command sessions (at most 5); complete or cancel one",
    });
    expect(handle.openSessions()).toBe(5);
    expect(handle.openSessions("owner@example.test")).toBe(5);
    // The total bound holds across requesters too.
    for (let i = 0; i < 5; i++) await ask(server, STRANGER, command({ node: "ping" }));
    for (let i = 0; i < 3; i++)
      await ask(server, `u${i}@example.test/r`, command({ node: "ping" }));
    expect(handle.openSessions()).toBe(5);
  });

  it("turns handler failures and hangs into errors and closes the session", async () => {
    const { server, handle, clock } = await setup({ stageTimeout: 1_000 });
    handle.add({
      node: "boom",
      name: "Boom",
      run: () => {
        throw new Error("secret detail");
      },
    });
    handle.add({
      node: "stanza",
      name: "S",
      run: () => {
        throw new StanzaError("conflict", "cancel", "busy");
      },
    });
    handle.add({ node: "hang", name: "Hang", run: () => new Promise(() => {}) });
    const boom = await ask(server, OWNER, command({ node: "boom" }));
    expect(errorOf(boom)).toMatchObject({
      condition: "internal-server-error",
      text: "the command failed",
    });
    const stanza = await ask(server, OWNER, command({ node: "stanza" }));
    expect(errorOf(stanza)).toMatchObject({ condition: "conflict", text: "busy" });
    const hanging = ask(server, OWNER, command({ node: "hang" }));
    await flush(1);
    clock.advance(1_000);
    expect(errorOf(await hanging)).toMatchObject({
      condition: "internal-server-error",
      text: "the command took too long",
    });
    expect(handle.openSessions()).toBe(0);
  });

  it("keeps a bounded history for prev when a command never completes", async () => {
    const { server, handle } = await setup();
    const stages: number[] = [];
    handle.add({
      node: "loop",
      name: "Loop",
      run: (request) => {
        stages.push(request.stage);
        return executing(profile, { actions: ["prev", "next"] });
      },
    });
    const first = await ask(server, OWNER, command({ node: "loop" }));
    const sessionid = first.getChild("command")!.attrs.sessionid!;
    const loop = (action: string, ...children: Element[]) =>
      ask(server, OWNER, command({ node: "loop", sessionid, action }, ...children));
    for (let i = 0; i < 100; i++) await loop("next", submitted({ name: `n${i}` }));
    expect(stages.at(-1)).toBe(100);
    const backs: Element[] = [];
    for (let i = 0; i < 32; i++) backs.push(await loop("prev"));
    expect(backs.filter((b) => b.attrs.type === "result")).toHaveLength(31);
    expect(errorOf(backs.at(-1)!).text).toBe("bad-action: there is no previous stage");
    await loop("next", submitted({ name: "again" }));
    expect(stages.at(-1)).toBe(70);
  });

  it("refuses definitions that would be open by accident or clash", async () => {
    const server = fakeServer();
    const client = newClient(server);
    const handle = client.use(commands, {});
    expect(() => handle.add({ node: "x", name: "X", run: () => completed() })).toThrow(
      /no `allowed` rule/u,
    );
    handle.add({ node: "x", name: "X", allowed: () => true, run: () => completed() });
    expect(() =>
      handle.add({ node: "x", name: "X", allowed: () => true, run: () => completed() }),
    ).toThrow(/already served/u);
    const other = newClient(server);
    expect(() => other.use(commands, { maxSessions: 0 })).toThrow(/commands options\.maxSessions/u);
  });
});

describe("running another entity's commands", () => {
  async function peer(server: FakeServer, answer: (request: Element) => Element) {
    const request = await server.nextSent((el) => el.name === "iq" && el.attrs.type !== "result");
    server.receive(
      xml("iq", { type: "result", id: request.attrs.id, from: request.attrs.to }, answer(request)),
    );
    return request;
  }

  it("lists, executes, steps through with a form and completes", async () => {
    const { server, handle } = await setup();
    const listing = handle.list("svc@example.test");
    await peer(server, () =>
      xml(
        "query",
        { xmlns: NS_DISCO_ITEMS, node: NS_COMMANDS },
        xml("item", { jid: "svc@example.test", node: "config", name: "Configure" }),
        xml("item", { node: "broken" }),
      ),
    );
    expect(await listing).toEqual([{ jid: "svc@example.test", node: "config", name: "Configure" }]);

    const started = handle.execute("svc@example.test", "config");
    await peer(server, () =>
      command(
        { node: "config", sessionid: "s1", status: "executing" },
        xml("actions", { execute: "complete" }, xml("complete")),
        formElement(profile),
      ),
    );
    const response = await started;
    expect(response).toMatchObject({
      sessionId: "s1",
      status: "executing",
      actions: { allowed: ["complete"], execute: "complete" },
    });

    await expect(handle.complete(response, { age: "x", nmae: "typo" })).rejects.toMatchObject({
      condition: "invalid-form",
      fields: [
        { field: "nmae", reason: "unknown" },
        { field: "name", reason: "required" },
        { field: "age", reason: "datatype" },
      ],
    });

    const finishing = handle.complete(response, { name: "Ann" });
    const sent = await peer(server, () =>
      command(
        { node: "config", sessionid: "s1", status: "completed" },
        xml("note", { type: "info" }, "done"),
      ),
    );
    const submittedForm = parseForm(sent.getChild("command")!.getChild("x", NS_DATA)!);
    expect(submittedForm.type).toBe("submit");
    expect(submittedForm.fields.find((f) => f.var === "name")?.values).toEqual(["Ann"]);
    expect(sent.getChild("command")?.attrs).toMatchObject({ sessionid: "s1", action: "complete" });
    const final = await finishing;
    expect(final.notes).toEqual([{ type: "info", text: "done" }]);
    await expect(handle.cancel(final)).rejects.toBeInstanceOf(CommandsError);
  });

  it("refuses malformed answers with bad-payload", async () => {
    const { server, handle } = await setup();
    const answers = [
      xml("query", { xmlns: "urn:other" }),
      command({ node: "config", status: "executing" }),
      command({ node: "config", sessionid: "s", status: "exploded" }),
      command(
        { node: "config", sessionid: "s", status: "executing" },
        xml("x", { xmlns: NS_DATA, type: "form" }, xml("field", { type: "boolean" })),
      ),
    ];
    for (const answer of answers) {
      const running = handle.execute("svc@example.test", "config");
      await peer(server, () => answer);
      await expect(running).rejects.toMatchObject({ condition: "bad-payload" });
    }
  });

  it("turns the peer's §4.6 errors into CommandsError conditions", async () => {
    const { server, handle } = await setup();
    const running = handle.execute("svc@example.test", "config");
    const request = await server.nextSent((el) => el.name === "iq" && el.attrs.type === "set");
    server.receive(
      xml(
        "iq",
        { type: "error", id: request.attrs.id, from: "svc@example.test" },
        xml(
          "error",
          { type: "modify" },
          xml("bad-request", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" }),
          xml("bad-sessionid", { xmlns: NS_COMMANDS }),
        ),
      ),
    );
    await expect(running).rejects.toMatchObject({
      condition: "bad-sessionid",
      stanzaCondition: "bad-request",
    });
  });

  it("our client and our server understand each other (loopback through the fake server)", async () => {
    const { server, handle } = await setup();
    // Route what the client sends to itself back in, playing the server's routing.
    const pump = async () => {
      for (;;) {
        const out = await server
          .nextSent((el) => el.name === "iq" && el.attrs.to === `${ME}/bot`, 5_000)
          .catch(() => undefined);
        if (!out) return;
        server.receive(
          xml("iq", { ...out.attrs, from: OWNER, to: `${ME}/bot` }, ...out.getChildElements()),
        );
        const answer = await server.nextSent(
          (el) => el.name === "iq" && el.attrs.id === out.attrs.id,
        );
        server.receive(
          xml(
            "iq",
            { ...answer.attrs, from: `${ME}/bot`, to: `${ME}/bot` },
            ...answer.getChildElements(),
          ),
        );
      }
    };
    void pump();
    const list = await handle.list(`${ME}/bot`);
    expect(list.map((c) => c.node)).toEqual(["profile", "ping"]);
    const one = await handle.execute(`${ME}/bot`, "profile");
    const two = await handle.next(one, { name: "Zed" });
    const back = await handle.prev(two);
    expect(back.form?.title).toBe("Profile");
    const again = await handle.next(back, { name: "Zoe" });
    const done = await handle.complete(again, { sure: true });
    expect(done.status).toBe("completed");
    expect(done.notes[0]?.text).toBe("saved Zoe");
    const other = await handle.execute(`${ME}/bot`, "profile");
    expect((await handle.cancel(other)).status).toBe("canceled");
    await expect(handle.next(other, { name: "x" })).rejects.toMatchObject({
      condition: "bad-sessionid",
    });
  });
});

describe("disco#info on command nodes (§2.3)", () => {
  it("describes the list node and visible command nodes only", async () => {
    const server = new CommandRegistry({
      options: commandsOptionsSchema.parse({}),
      logger: silentLogger,
      ownJid: () => `${ME}/bot`,
    });
    server.add({
      node: "secret",
      name: "Secret",
      allowed: (r) => r.bare === "owner@example.test",
      run: () => completed(),
    });
    const info = await server.info(OWNER, "secret");
    expect(info?.getChild("identity")?.attrs).toMatchObject({
      category: "automation",
      type: "command-node",
      name: "Secret",
    });
    expect(info?.getChildren("feature").map((f) => f.attrs.var)).toEqual([NS_COMMANDS, NS_DATA]);
    expect(await server.info(STRANGER, "secret")).toBeUndefined();
    expect(await server.info(OWNER, "missing")).toBeUndefined();
    expect((await server.info(STRANGER, NS_COMMANDS))?.getChild("identity")?.attrs.type).toBe(
      "command-list",
    );
  });
});
