/**
 * Shared by the channel's unit tests only (excluded from the build and the package): the bot's
 * client on the test kit's fake server (also as an account's live session), inbound messages as
 * core hands them over, an OpenClaw SDK that admits everything, a pairing controller recording
 * its challenges, and a hand-made gateway context for `startXmppAccount`.
 */
import {
  type Client,
  type ClientOptions,
  createClient,
  type Element,
  type InboundMessage,
  parseJid,
  xml,
} from "@clawxmpp/core";
import { type MarkersOptionsInput, markers } from "@clawxmpp/markers";
import type { MucMessageInfo } from "@clawxmpp/muc";
import { type FakeServer, fakeClient } from "@clawxmpp/test";
import { afterEach, onTestFinished } from "vitest";
import {
  parseXmppChannelConfig,
  type ResolvedXmppAccount,
  resolveXmppAccount,
} from "./accounts.js";
import { type LiveSession, registerLiveClient } from "./live-clients.js";
import type { OpenclawSdk, PairingController } from "./openclaw-sdk.js";
import type { ChannelAccountSnapshot, ChannelGatewayContext } from "./openclaw-types.js";

/** The bot's account in every channel unit test. */
export const BOT = "bot@example.org";
/** The usual sender. */
export const ALICE = "alice@example.org";
/** The usual room. */
export const ROOM = "team@conference.example.org";

/**
 * An inbound message to the bot as core hands it to the channel: a live chat message with no
 * ids but `m1`, `fields` on top; with `muc`, from a room (ROOM, ALICE as `alice`, room
 * stanza-id `room-sid-1`, a plain live message unless `muc` says otherwise).
 */
export function inboundMessage(
  fields: Omit<Partial<InboundMessage>, "from" | "body"> & {
    from: string;
    body?: string | undefined;
  },
  muc?: Partial<MucMessageInfo>,
): InboundMessage {
  const stanza: Element = xml("message", { from: fields.from, type: fields.type ?? "chat" });
  return {
    id: "m1",
    to: parseJid(BOT),
    type: "chat",
    subject: undefined,
    thread: undefined,
    originId: undefined,
    stanzaIds: {},
    delay: undefined,
    outgoing: false,
    via: "live",
    stanza,
    ...fields,
    from: parseJid(fields.from),
    body: fields.body,
    ...(muc === undefined
      ? {}
      : {
          muc: {
            room: ROOM,
            nick: "alice",
            realJid: ALICE,
            role: "participant",
            affiliation: "none",
            isHistory: false,
            roomStanzaId: "room-sid-1",
            mentioned: false,
            isPrivate: false,
            isOwn: false,
            ...muc,
          },
        }),
  } as InboundMessage;
}

/**
 * A list of cleanups the calling test file's tests push to; after each test they run, newest
 * first. Call once at the top of a test file.
 */
export function cleanupsAfterEach(): (() => unknown)[] {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return cleanups;
}

/** The bot's client (not started) on a fake server that binds `${BOT}/openclaw`; stopped when the test finishes. */
export function botClient() {
  return fakeClient({ jid: BOT, password: "pw", fakeServer: { jid: `${BOT}/openclaw` } });
}

/** {@link botClient} with the markers plugin (`markersOptions`), online. */
export async function onlineBot(markersOptions: MarkersOptionsInput = {}) {
  const { server, client } = botClient();
  const handle = client.use(markers, markersOptions);
  await client.start();
  return { server, client, markers: handle };
}

/**
 * {@link onlineBot}, registered as the live session of account `default` with `session`'s
 * extras until the test finishes; `cfg` configures that account with `raw` on top of the bot's
 * JID and password.
 */
export async function liveBot(
  raw: Record<string, unknown> = {},
  options: { markers?: MarkersOptionsInput; session?: Omit<LiveSession, "client"> } = {},
) {
  const bot = await onlineBot(options.markers);
  const unregister = registerLiveClient("default", {
    client: bot.client,
    markers: bot.markers,
    ...options.session,
  });
  onTestFinished(unregister);
  return { ...bot, cfg: { channels: { xmpp: { jid: BOT, password: "pw", ...raw } } } };
}

/**
 * An OpenClaw SDK that routes every peer to agent `main` (session key
 * `agent:main:xmpp:<kind>:<id>`) and admits every message, recording each ingress request in
 * `ingress`; pairing goes to `pairing`.
 */
export function admittingSdk(pairing: PairingController) {
  const ingress: Record<string, unknown>[] = [];
  const sdk: OpenclawSdk = {
    resolveChannelInboundRouteEnvelope: (params) => ({
      route: {
        agentId: "main",
        sessionKey: `agent:main:xmpp:${params.peer.kind}:${params.peer.id}`,
      },
      buildEnvelope: (input) => String(input.body),
    }),
    resolveStableChannelMessageIngress: async (params) => {
      ingress.push(params);
      return {
        ingress: { admission: "dispatch" },
        senderAccess: { allowed: true, decision: "allow", reasonCode: "allowed" },
      };
    },
    createChannelPairingController: () => pairing,
  };
  return { sdk, ingress };
}

/** A pairing controller with nobody paired that answers each challenge with `reply`. */
export function recordingPairing(reply: string) {
  /** Sender ids challenged, in order. */
  const challenges: string[] = [];
  const pairing: PairingController = {
    readAllowFromStore: async () => [],
    issueChallenge: async (params) => {
      challenges.push(params.senderId);
      await params.sendPairingReply(reply);
      return { created: true };
    },
  };
  return { pairing, challenges };
}

/** A client factory for `startXmppAccount` that connects to the in-memory `server`. */
export function onFake(server: FakeServer, extra: Partial<ClientOptions> = {}) {
  return (options: ClientOptions): Client =>
    createClient({
      ...options,
      transport: server.factory,
      archive: { catchUp: false },
      keepalive: { interval: 0 },
      ...extra,
    });
}

/** A hand-made ChannelGatewayContext for `raw`, recording every status patch and log line. */
export function gatewayContext(raw: unknown, accountId = "default") {
  const controller = new AbortController();
  let snapshot: ChannelAccountSnapshot = { accountId };
  const statuses: ChannelAccountSnapshot[] = [];
  const logs: string[] = [];
  const ctx: ChannelGatewayContext<ResolvedXmppAccount> = {
    cfg: { channels: { xmpp: raw } },
    accountId,
    account: resolveXmppAccount(parseXmppChannelConfig(raw), accountId),
    runtime: {},
    abortSignal: controller.signal,
    log: {
      info: (m) => logs.push(`info ${m}`),
      warn: (m) => logs.push(`warn ${m}`),
      error: (m) => logs.push(`error ${m}`),
    },
    getStatus: () => snapshot,
    setStatus: (next) => {
      snapshot = next;
      statuses.push(next);
    },
  };
  return { ctx, controller, statuses, logs, status: () => snapshot };
}
