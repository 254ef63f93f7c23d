/**
 * `bench channel`: the OpenClaw channel's own overhead per turn, on a real
 * Prosody, in this process. The channel runs through `startXmppAccount` with
 * `ackReaction`, busy presence and typing on; OpenClaw itself is replaced by a
 * fake SDK whose dispatch answers at once, so the numbers are the channel's,
 * not the agent's. alice sends one message per turn (1.2 s apart, above the
 * chat-state throttle) and waits for the reply. Per turn:
 *
 * - first sign of work: the message reaching the bot's client → alice receiving
 *   the first typing notification or ack reaction (server hop included);
 * - message in → dispatch: the bot's client event → OpenClaw's `dispatch` called;
 * - deliver → stanza written: `deliver` called → the reply stanza written to the
 *   socket (the core's trace), and → alice receiving it.
 *
 * Optional flags: `--turns N` (default 30), `--out FILE` (JSON).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { type ClientOptions, createClient, type InboundMessage } from "@clawxmpp/core";
import { clientFor, startProsody } from "@clawxmpp/integration";
import {
  type OpenclawSdk,
  parseXmppChannelConfig,
  resolveXmppAccount,
  startXmppAccount,
} from "@clawxmpp/openclaw-channel";
import { intFlag } from "./int-flag.js";
import { median, percentile, round } from "./stats.js";

const NS_REACTIONS = "urn:xmpp:reactions:0";
const NS_CHAT_STATES = "http://jabber.org/protocol/chatstates";

/** A stand-in for OpenClaw: admits everyone, dispatches by answering at once. */
function fakeSdk(): OpenclawSdk {
  return {
    resolveChannelInboundRouteEnvelope: () => ({
      route: { agentId: "main", sessionKey: "agent:main:xmpp:direct:bench" },
      buildEnvelope: (input) => String(input.body),
    }),
    resolveStableChannelMessageIngress: async () => ({
      ingress: { admission: "dispatch" },
      senderAccess: { allowed: true, decision: "allow", reasonCode: "allowlist" },
    }),
    createChannelPairingController: () => ({
      readAllowFromStore: async () => [],
      issueChallenge: async () => ({ created: false }),
    }),
  };
}

interface Turn {
  token: string;
  inAt?: number;
  dispatchAt?: number;
  deliverAt?: number;
  writtenAt?: number;
  delivered?: number;
  signAt?: number;
  replyAt?: number;
}

/** Runs the channel bench and prints its table. */
export async function channelBench(argv: string[]): Promise<void> {
  const turns = intFlag(argv, "turns", 30);
  const outIndex = argv.indexOf("--out");
  const out = outIndex === -1 ? undefined : argv[outIndex + 1];
  const server = await startProsody({ mam: false, accounts: { alice: "alice", bot: "bot" } });
  const state = mkdtempSync(join(tmpdir(), "clawxmpp-channel-bench-"));
  const abort = new AbortController();
  const byToken = new Map<string, Turn>();
  let current: Turn | undefined;
  let running: Promise<void> | undefined;
  const alice = clientFor(server, "alice");
  try {
    const bot = `bot@${server.domain}`;
    const aliceJid = `alice@${server.domain}`;
    const cfg = {
      channels: {
        xmpp: {
          jid: bot,
          password: server.accounts.bot!.password,
          server: server.host,
          port: server.c2sPort,
          allowFrom: [aliceJid],
          ackReaction: "👀",
          rateLimit: false,
        },
      },
    };
    const account = resolveXmppAccount(parseXmppChannelConfig(cfg.channels.xmpp));
    let status: Record<string, unknown> = {};
    let online!: () => void;
    const botOnline = new Promise<void>((resolve) => {
      online = resolve;
    });
    running = startXmppAccount(
      {
        cfg,
        accountId: "default",
        account,
        abortSignal: abort.signal,
        getStatus: () => status as never,
        setStatus: (next: unknown) => {
          status = next as Record<string, unknown>;
          if (status.lifecycle === "ready") online();
        },
        channelRuntime: {
          inbound: {
            buildContext: (params: Record<string, unknown>) => ({
              token: (params.message as { rawBody: string }).rawBody,
            }),
            dispatch: async (params: Record<string, unknown>) => {
              const turn = byToken.get((params.ctxPayload as { token: string }).token);
              if (turn === undefined) return;
              turn.dispatchAt = performance.now();
              const delivery = params.delivery as {
                deliver: (payload: { text: string }, info: { kind: string }) => Promise<unknown>;
              };
              turn.deliverAt = performance.now();
              await delivery.deliver({ text: `re ${turn.token}` }, { kind: "final" });
              turn.delivered = performance.now();
            },
          },
        },
      } as never,
      {
        sdk: fakeSdk(),
        stateDir: state,
        createClient: (options: ClientOptions) => {
          const client = createClient({
            ...options,
            tls: { ...options.tls, ca: server.caCert },
            // The trace sees each stanza as it is written to the socket.
            trace: (direction, xml) => {
              if (direction !== "out" || current === undefined) return;
              if (current.writtenAt === undefined && xml.includes(`re ${current.token}`)) {
                current.writtenAt = performance.now();
              }
            },
          });
          // Registered before the channel's handler: the moment the message reaches the bot.
          client.on("message", (message: InboundMessage) => {
            const turn = message.body === undefined ? undefined : byToken.get(message.body);
            if (turn !== undefined) turn.inAt = performance.now();
          });
          return client;
        },
      },
    );
    alice.on("message", (message) => {
      if (current === undefined || message.from.bare !== bot) return;
      const now = performance.now();
      const sign =
        message.stanza.getChild("composing", NS_CHAT_STATES) !== undefined ||
        message.stanza.getChild("reactions", NS_REACTIONS) !== undefined;
      if (sign && current.signAt === undefined) current.signAt = now;
      if (message.body === `re ${current.token}`) current.replyAt = now;
    });
    await alice.start();
    await botOnline;
    // A warm-up turn (first imports, first disco), not measured.
    const samples: Turn[] = [];
    for (let i = 0; i <= turns; i++) {
      const turn: Turn = { token: `bench-${i}` };
      byToken.set(turn.token, turn);
      current = turn;
      await alice.send({ to: bot, type: "chat", body: turn.token });
      const started = Date.now();
      while (turn.replyAt === undefined || turn.signAt === undefined) {
        if (Date.now() - started > 10_000) throw new Error(`turn ${i} got no reply in 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (i > 0) samples.push(turn);
      // Above the chat-state throttle (1 s), so every turn's typing goes out at once.
      await new Promise((resolve) => setTimeout(resolve, 1_200));
    }
    const series = (pick: (t: Turn) => number | undefined) =>
      samples.map(pick).filter((v): v is number => v !== undefined && Number.isFinite(v));
    const rows: [string, number[]][] = [
      ["message in → first sign of work seen by the user", series((t) => t.signAt! - t.inAt!)],
      ["message in → dispatch", series((t) => t.dispatchAt! - t.inAt!)],
      ["deliver → reply stanza written", series((t) => (t.writtenAt ?? Number.NaN) - t.deliverAt!)],
      ["deliver → reply received by the user", series((t) => t.replyAt! - t.deliverAt!)],
      ["deliver → deliver settled (server ack)", series((t) => t.delivered! - t.deliverAt!)],
    ];
    const table = [
      "| channel, per turn (ms) | median | p90 | max |",
      "| --- | ---: | ---: | ---: |",
      ...rows.map(
        ([name, values]) =>
          `| ${name} | ${round(median(values))} | ${round(percentile(values, 90))} | ${round(Math.max(...values))} |`,
      ),
    ].join("\n");
    process.stdout.write(`${table}\n\n${samples.length} turns, ${cpus().length} cores\n`);
    if (out !== undefined) {
      await writeFile(
        out,
        JSON.stringify({ turns: samples, rows: Object.fromEntries(rows) }, null, 2),
      );
    }
  } finally {
    abort.abort();
    await running;
    await alice.stop().catch(() => {});
    await server.stop();
    rmSync(state, { recursive: true, force: true });
  }
}
