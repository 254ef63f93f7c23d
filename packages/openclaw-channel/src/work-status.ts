/**
 * What the user sees while the agent works on their message, per turn:
 * the read marker (XEP-0333 `displayed`, when `sendReadReceipts`), the ack
 * reaction (XEP-0444, `ackReaction`, removed when the turn ends), typing
 * (XEP-0085 `composing`, refreshed during long turns, `active` at the end),
 * the busy presence (`agent-presence.ts`) and the streamed reply
 * (`streaming`: `block` turns OpenClaw's block replies on; `live` edits one
 * message in place, `live-reply.ts`). The inbound handler calls `begin` once a
 * message is admitted, routes each reply payload through `take`, and `end`s it.
 */
import type { Client, InboundMessage } from "@clawxmpp/core";
import type { MarkersHandle } from "@clawxmpp/markers";
import { type AgentPresence, createAgentPresence } from "./agent-presence.js";
import { createLiveReply, type LiveReply } from "./live-reply.js";
import type { ReplyPayload } from "./openclaw-sdk.js";
import { createPeerFeatures, type PeerFeatures } from "./peer-features.js";
import type { WorkSettings } from "./work-config.js";

/** Typing is re-announced this often during a long turn (markers pauses after 30 s). */
export const TYPING_REFRESH_MS = 20_000;

/** One message the agent starts on. */
export interface WorkTurn {
  /** Bare JID of the peer or room. */
  conversation: string;
  type: "chat" | "groupchat";
  message: InboundMessage;
  /** The XMPP id to react to (origin-id/id in 1:1, the room's stanza-id in a room). */
  reference: string | undefined;
  /**
   * The message was OMEMO-encrypted: no live reply then (its stanzas would leave
   * in plaintext); the final reply goes through the encrypting delivery.
   */
  encrypted?: boolean | undefined;
}

/** The kind OpenClaw gives each reply payload. */
export type DeliveryKind = "tool" | "block" | "final";

/** The per-turn handle. */
export interface TurnWork {
  /** Merged into the dispatch's `replyOptions`. */
  replyOptions: Record<string, unknown>;
  /**
   * Takes what the live reply delivers out of `payload`; returns what is left
   * for normal delivery and whether something visible was sent.
   */
  take(
    payload: ReplyPayload,
    kind: DeliveryKind | undefined,
  ): Promise<{ rest: ReplyPayload; sent: boolean }>;
  /** The turn is over: remove the ack, stop typing, presence back when idle. */
  end(): Promise<void>;
}

/** What the feedback needs. */
export interface WorkStatusDeps {
  client: Pick<Client, "send">;
  markers: MarkersHandle | undefined;
  settings: WorkSettings;
  presence: AgentPresence | undefined;
  peers: PeerFeatures | undefined;
  onError?: (what: string, error: unknown) => void;
  /** Called after the first visible sign of work was written (bench). */
  onFirstSign?: () => void;
}

/** Creates the per-account factory of turn feedback. */
export function createWorkStatus(deps: WorkStatusDeps) {
  const { settings, markers } = deps;
  const fail = (what: string) => (error: unknown) => deps.onError?.(what, error);

  return {
    /** Shows that the agent took `turn` up; returns the handle for its replies. */
    begin(turn: WorkTurn): TurnWork {
      const { conversation, type } = turn;
      const to = { type } as const;
      const signs: Promise<unknown>[] = [];
      if (markers !== undefined) {
        signs.push(markers.composing(conversation, to).catch(fail("typing")));
        if (settings.ackReaction !== undefined && turn.reference !== undefined) {
          signs.push(
            markers
              .react(conversation, turn.reference, [settings.ackReaction], to)
              .catch(fail("ack reaction")),
          );
        }
        if (settings.sendReadReceipts) {
          signs.push(markers.markDisplayed(turn.message).catch(fail("read marker")));
        }
      }
      if (deps.onFirstSign !== undefined && signs.length > 0) {
        void Promise.race(signs).then(deps.onFirstSign);
      }
      const idle = settings.presence.busy ? deps.presence?.busy() : undefined;
      const refresh =
        markers === undefined
          ? undefined
          : setInterval(() => {
              void markers.composing(conversation, to).catch(fail("typing"));
            }, TYPING_REFRESH_MS);
      refresh?.unref?.();

      let live: LiveReply | undefined;
      if (settings.streaming === "live" && turn.encrypted !== true) {
        const corrections =
          type === "groupchat"
            ? // A room's occupants use many clients; modern ones all show corrections.
              true
            : (deps.peers?.supportsCorrections(turn.message.from.full) ?? false);
        live = createLiveReply({
          corrections,
          throttleMs: settings.throttleMs,
          onError: fail("live reply"),
          sink: {
            send: async (text) =>
              (await deps.client.send({ to: conversation, type, body: text })).id,
            correct: async (id, text) => {
              if (markers === undefined) throw new Error("corrections need the markers plugin");
              await markers.correct(conversation, id, text, to);
            },
          },
        });
      }
      const replyOptions: Record<string, unknown> =
        settings.streaming === "block"
          ? { disableBlockStreaming: false }
          : live === undefined
            ? {}
            : {
                disableBlockStreaming: true,
                onPartialReply: (payload: { text?: unknown }) => {
                  if (typeof payload.text === "string") live!.partial(payload.text);
                },
                onAssistantMessageStart: () => live!.rotate(),
              };
      let ended = false;
      return {
        replyOptions,
        async take(payload, kind) {
          const text = typeof payload.text === "string" ? payload.text : "";
          if (live === undefined || kind === "tool" || text.trim() === "") {
            return { rest: payload, sent: false };
          }
          if (kind === "block") {
            // Block replies while live: the preview already shows this text.
            live.partial(text);
            return { rest: withoutText(payload), sent: false };
          }
          const sent = await live.finish(text);
          return { rest: sent ? withoutText(payload) : payload, sent };
        },
        async end() {
          if (ended) return;
          ended = true;
          if (refresh !== undefined) clearInterval(refresh);
          live?.close();
          idle?.();
          if (markers === undefined) return;
          await Promise.all([
            settings.ackReaction !== undefined && turn.reference !== undefined
              ? markers.react(conversation, turn.reference, [], to).catch(fail("ack reaction"))
              : undefined,
            // Ends typing when no reply carried `active` (no-op otherwise).
            markers.active(conversation, to).catch(fail("typing")),
          ]);
        },
      };
    },
  };
}

/** The factory's type. */
export type WorkStatus = ReturnType<typeof createWorkStatus>;

/** The work status of one account, as the gateway composes it. */
export function accountWorkStatus(
  client: Client,
  markers: MarkersHandle | undefined,
  settings: WorkSettings,
  onError: (what: string, error: unknown) => void,
): WorkStatus {
  return createWorkStatus({
    client,
    markers,
    settings,
    presence: createAgentPresence({
      client,
      busyStatus: settings.presence.busyStatus,
      idleStatus: settings.presence.idleStatus,
      onError: (error) => onError("presence", error),
    }),
    peers: settings.streaming === "live" ? createPeerFeatures(client) : undefined,
    onError,
  });
}

function withoutText(payload: ReplyPayload): ReplyPayload {
  const { text: _text, ...rest } = payload;
  return rest;
}
