/**
 * Stress run of agent questions (OpenClaw `ask_user`) through the XMPP channel in one real
 * OpenClaw 2026.9.6 gateway with the mock model, against a real Prosody: many questions in a
 * row, answered in turn by keycap reaction, through the "Answer a question" form and by a typed
 * reply. For every question that does not reach the chat it records what the model was asked,
 * OpenClaw's `question.list`, the gateway's log tail and every stanza alice received.
 *
 * A measurement, not a CI test: only with `CLAWXMPP_STRESS=1` (`CLAWXMPP_STRESS_COUNT`, default
 * 30; the report goes to `CLAWXMPP_STRESS_REPORT`, default a temporary file).
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CommandsHandle, commands } from "@clawxmpp/commands";
import { type Client, definePlugin, type InboundMessage } from "@clawxmpp/core";
import { type MarkersHandle, markers } from "@clawxmpp/markers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { askingAgentConfig, type ChannelE2e, setUpChannelE2e } from "../e2e/channel-e2e.js";
import type { MockModelRequest } from "../e2e/mock-model.js";
import { clientFor, type ProsodyInstance } from "../src/index.js";
import { nextEvent } from "./helpers.js";

const STRESS = process.env.CLAWXMPP_STRESS === "1";
const COUNT = Number(process.env.CLAWXMPP_STRESS_COUNT ?? 30);
const QUESTION_NODE = "xmpp/answer-question";
const MODES = ["reaction", "form", "typed"] as const;

let server: ProsodyInstance;
let e2e: ChannelE2e;
let alice: Client;
let aliceCommands: CommandsHandle;
let aliceMarkers: MarkersHandle;
let bot: string;
/** Every stanza alice received: time and XML. */
const received: { at: number; xml: string }[] = [];

const spy = definePlugin("test-spy", (ctx) => {
  ctx.inbound.use("parse", ({ stanza }) => {
    received.push({ at: Date.now(), xml: stanza.toString().slice(0, 1_500) });
  });
  return { stop() {} };
});

function fromBot(pattern: RegExp, ms: number) {
  return nextEvent<InboundMessage>(
    alice,
    "message",
    (m) => m.from.bare === bot && pattern.test(m.body ?? ""),
    ms,
  );
}

describe.skipIf(!STRESS)("agent questions under stress", () => {
  beforeAll(async () => {
    e2e = await setUpChannelE2e({ name: "questions" });
    ({ server, bot } = e2e);
    alice = clientFor(server, "alice");
    alice.use(spy, {});
    aliceMarkers = alice.use(markers, {});
    aliceCommands = alice.use(commands, {});
    await alice.start();
    await e2e.startGateway({
      readyTimeoutMs: 240_000,
      config: { ...askingAgentConfig(`alice@${server.domain}`), logging: { level: "debug" } },
      channel: { dmPolicy: "allowlist", allowFrom: [`alice@${server.domain}`] },
    });
    await e2e.waitForBotOnline(alice);
  }, 600_000);

  afterAll(async () => {
    await e2e?.stop([alice]);
  }, 60_000);

  it(`${COUNT} questions in a row`, async () => {
    const pong = fromBot(/PONG-warm/u, 90_000);
    await alice.send({ to: bot, type: "chat", body: "hello PING-warm" });
    await pong;
    const report: Record<string, unknown>[] = [];
    const failures: Record<string, unknown>[] = [];
    for (let i = 0; i < COUNT; i++) {
      const mode = MODES[i % MODES.length]!;
      const token = `s${i}`;
      const pick = (i % 2) + 1;
      const colour = pick === 1 ? "Red" : "Blue";
      const t0 = Date.now();
      const firstRequest = e2e.mock.requests.length;
      const firstStanza = received.length;
      const asked = fromBot(new RegExp(`Which colour for ${token}\\?`, "u"), 20_000);
      const result = fromBot(new RegExp(`ASK-RESULT-${token}:`, "u"), 90_000);
      result.catch(() => undefined);
      await alice.send({ to: bot, type: "chat", body: `ASK-${token}` });
      const entry: Record<string, unknown> = { i, mode, token };
      report.push(entry);
      let question: InboundMessage;
      try {
        question = await asked;
        entry.questionMs = Date.now() - t0;
      } catch {
        entry.failed = "question not in chat within 20 s";
        entry.questionList = await e2e.gateway!.call("question.list", {}).catch(String);
        entry.requestsAt20s = e2e.mock.requests.slice(firstRequest).map(summary);
        try {
          const late = await result;
          entry.resultMs = Date.now() - t0;
          entry.result = late.body;
        } catch {
          entry.result = "no ASK-RESULT within 90 s";
          entry.questionListLate = await e2e.gateway!.call("question.list", {}).catch(String);
        }
        failures.push(evidence(entry, { t0, firstRequest, firstStanza }));
        if (failures.length >= 5) break;
        continue;
      }
      if (mode === "reaction") {
        await aliceMarkers.reactTo(question, [pick === 1 ? "1️⃣" : "2️⃣"]);
      } else if (mode === "form") {
        const form = await aliceCommands.execute(e2e.botFull, QUESTION_NODE);
        const done = await aliceCommands.complete(form, { choice: String(pick) });
        entry.form = done.status;
      } else {
        await alice.send({ to: bot, type: "chat", body: String(pick) });
      }
      try {
        const answer = await result;
        entry.resultMs = Date.now() - t0;
        const seen = e2e.mock.requests.find((r) => r.reply.startsWith(`ASK-RESULT-${token}:`));
        if (!new RegExp(`Colour: ${colour}`, "u").test(seen?.toolResult ?? "")) {
          entry.failed = `wrong answer: ${answer.body}`;
          failures.push(entry);
        }
      } catch {
        entry.failed = "answered, but no ASK-RESULT within 90 s";
        entry.questionList = await e2e.gateway!.call("question.list", {}).catch(String);
        failures.push(evidence(entry, { t0, firstRequest, firstStanza }));
        if (failures.length >= 5) break;
      }
      console.log(
        `question ${i} (${mode}): in chat ${entry.questionMs} ms, result ${entry.resultMs} ms`,
      );
    }
    const file =
      process.env.CLAWXMPP_STRESS_REPORT ?? join(tmpdir(), `questions-stress-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify({ report, failures }, null, 1));
    console.log(`stress report: ${file}; ${failures.length} failures of ${report.length}`);
    expect(failures.map((f) => `${f.i} ${f.mode}: ${f.failed}`)).toEqual([]);
  }, 3_600_000);
});

/** Adds what the model was asked, what alice received and the gateway log to `entry`; prints it. */
function evidence(
  entry: Record<string, unknown>,
  since: { t0: number; firstRequest: number; firstStanza: number },
): Record<string, unknown> {
  entry.requests = e2e.mock.requests.slice(since.firstRequest).map(summary);
  entry.stanzas = received
    .slice(since.firstStanza)
    .map((s) => ({ ms: s.at - since.t0, xml: s.xml }));
  entry.log = e2e.gateway!.logTail(400);
  console.log(JSON.stringify(entry, null, 1));
  return entry;
}

function summary(r: MockModelRequest) {
  return {
    userTail: r.userText.slice(-200),
    reply: r.reply.slice(0, 200),
    toolCall: r.toolCall?.name,
    toolResult: r.toolResult?.slice(0, 200),
  };
}
