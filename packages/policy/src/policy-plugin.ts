/**
 * The `policy` plugin: the decision engine wired to a client. It answers
 * presence subscription requests (RFC 6121 §3.1: approve only owners,
 * allowlisted and paired JIDs, deny the rest), runs pairing for DMs, applies
 * the per-sender rate limit and greets JIDs once they are approved — also when
 * the approval was made by another process (the CLI) against the same store.
 */
import {
  type Disposer,
  definePlugin,
  Emitter,
  type PluginContext,
  parseOptions,
  tryParseJid,
} from "@clawxmpp/core";
import { decide, roomSettings } from "./decide.js";
import type { Decision, PolicyEvent } from "./decision.js";
import { jsonFileStore } from "./json-file-store.js";
import { createPairing, type PairingList, type PairingRequestResult } from "./pairing.js";
import { formatPairingReply } from "./pairing-message.js";
import type { ApprovedPairing } from "./pairing-state.js";
import { memoryStore } from "./pairing-store.js";
import {
  type PolicyConfig,
  type PolicyOptionsInput,
  policyOptionsSchema,
  type RoomSettings,
} from "./policy-options.js";
import { createRateLimiter } from "./rate-limit.js";
import { limitDecision } from "./sender-limit.js";

/** Outcome of {@link PolicyHandle.admitDm}. */
export interface DmAdmission extends Decision {
  /** Set when the sender was sent to pairing. */
  pairing?: PairingRequestResult;
}

/** Events of the policy plugin. */
export type PolicyEvents = {
  /** A JID was approved (here or, noticed on reload, by another process). */
  approved: [{ jid: string }];
  /** A subscription request was answered. */
  subscription: [{ jid: string; decision: Decision }];
};

/** Pairing operations exposed on the handle. */
export interface PolicyPairing {
  /** Issues (or returns the pending) code for `jid`. */
  request(jid: string): Promise<PairingRequestResult>;
  /** Approves a code, persists the JID and greets it when online. */
  approve(code: string): Promise<ApprovedPairing>;
  /** Pending codes and approved JIDs (re-read from the store). */
  list(): Promise<PairingList>;
  /** Removes an approval. */
  revoke(jid: string): Promise<boolean>;
  /** Whether `jid` is approved, from the last load. */
  isPaired(jid: string): boolean;
}

/** What `client.use(policy, options)` returns. */
export interface PolicyHandle {
  /** The resolved configuration. */
  readonly config: PolicyConfig;
  /** Resolves once the pairing store has been loaded; rejects with a `storage` error if it cannot be. */
  readonly ready: Promise<void>;
  /** Pure decision (no rate limit, no side effects). */
  decide(event: PolicyEvent): Decision;
  /** {@link decide} plus the per-sender rate limit for `dm` and `group` events (owners exempt). */
  check(event: PolicyEvent): Decision;
  /**
   * Full DM admission: decision, rate limit (a throttled sender is told once) and,
   * under `pairing`, a code sent to the sender.
   */
  admitDm(from: string): Promise<DmAdmission>;
  /** Settings that apply to `room`. */
  roomSettings(room: string): RoomSettings;
  /** Pairing operations. */
  readonly pairing: PolicyPairing;
  /** Re-reads the store and greets newly approved JIDs. */
  refresh(): Promise<void>;
  /** Listens to `approved` and `subscription` events; returns a disposer. */
  on: Emitter<PolicyEvents>["on"];
  /** Stops timers and listeners. Idempotent. */
  stop(): void;
}

/** Access policy and pairing for a client: `client.use(policy, { allowFrom: ["me@example.org"] })`. */
export const policy = definePlugin(
  "policy",
  (ctx: PluginContext, options: PolicyOptionsInput = {}): PolicyHandle => {
    const opts = parseOptions(policyOptionsSchema, options, "policy options");
    const {
      store: customStore,
      storePath,
      pairing: pairingOptions,
      rateLimit,
      rateLimitReply,
      pairingReply,
      greeting: greetingText,
      pollInterval,
      ...config
    } = opts;

    const store =
      customStore ?? (storePath !== undefined ? jsonFileStore(storePath) : memoryStore());
    if (customStore === undefined && storePath === undefined) {
      ctx.logger.warn(
        "no storePath given: pairing approvals are kept in memory and lost on restart",
      );
    }
    const pairing = createPairing(pairingOptions, { store, clock: ctx.clock });
    const limiter = rateLimit === false ? undefined : createRateLimiter(rateLimit, ctx.clock);
    const events = new Emitter<PolicyEvents>((error, event) =>
      ctx.logger.error(`listener for "${event}" threw`, { error }),
    );
    const client = ctx.client;
    const greeting = new Set<string>();
    // Approved JIDs already announced through the `approved` event in this process.
    const announced = new Set<string>();
    let stopped = false;
    const isPaired = (jid: string) => pairing.isPaired(jid);

    const greetApproved = async (list: PairingList): Promise<void> => {
      for (const entry of list.approved) {
        if (entry.greeted || greeting.has(entry.jid)) continue;
        greeting.add(entry.jid);
        try {
          if (!announced.has(entry.jid)) {
            announced.add(entry.jid);
            events.emit("approved", { jid: entry.jid });
          }
          if (greetingText !== false) {
            // Offline: greet on the next reload after coming online.
            if (client.status !== "online") continue;
            await client.send({ to: entry.jid, body: greetingText });
          }
          await pairing.markGreeted(entry.jid);
        } catch (error) {
          ctx.logger.warn("could not greet an approved JID", {
            jid: entry.jid,
            error: (error as Error).message,
          });
        } finally {
          greeting.delete(entry.jid);
        }
      }
    };

    const refresh = async (): Promise<void> => {
      if (stopped) return;
      await greetApproved(await pairing.load());
    };

    const ready = pairing.load().then(
      () => undefined,
      (error: unknown) => {
        ctx.logger.error("pairing store unavailable; unknown senders stay refused", {
          error: (error as Error).message,
        });
        throw error;
      },
    );
    ready.catch(() => {});

    const safeRefresh = () => {
      refresh().catch((error: unknown) =>
        ctx.logger.warn("pairing store reload failed", { error: (error as Error).message }),
      );
    };
    ctx.client.on("online", safeRefresh);
    let cancelPoll: Disposer | undefined;
    if (pollInterval > 0) cancelPoll = ctx.clock.setInterval(safeRefresh, pollInterval);

    ctx.client.on("subscription", ({ from }) => {
      void (async () => {
        // Answer only after the store is known, so a paired JID is not refused at login.
        await ready.catch(() => {});
        if (stopped) return;
        const decision = decide(config, { kind: "subscription", from: from.bare }, isPaired);
        ctx.logger.info("subscription request", {
          from: from.bare,
          action: decision.action,
          reason: decision.reason,
        });
        if (decision.action === "allow") await client.approveSubscription(from.bare);
        else await client.denySubscription(from.bare);
        events.emit("subscription", { jid: from.bare, decision });
      })().catch((error: unknown) =>
        ctx.logger.warn("could not answer a subscription request", {
          error: (error as Error).message,
        }),
      );
    });

    const check = (event: PolicyEvent): Decision => {
      const decision = limitDecision(limiter, event, decide(config, event, isPaired));
      if (decision.throttled === "first") {
        ctx.logger.info("sender rate limited; further messages are dropped until it refills", {
          kind: event.kind,
          sender: decision.jid ?? (event.kind === "group" ? event.occupant : undefined),
        });
      }
      return decision;
    };

    const admitDm = async (from: string): Promise<DmAdmission> => {
      const decision = check({ kind: "dm", from });
      if (
        decision.throttled === "first" &&
        rateLimitReply !== false &&
        decision.jid !== undefined
      ) {
        // Told once per throttling episode, so a flood never gets a flood of answers.
        await client.send({ to: decision.jid, body: rateLimitReply }).catch((error: unknown) =>
          ctx.logger.warn("could not send the rate limit notice", {
            error: (error as Error).message,
          }),
        );
      }
      if (decision.action !== "pair" || decision.jid === undefined) return decision;
      const jid = decision.jid;
      let result: PairingRequestResult;
      try {
        result = await pairing.request(jid);
      } catch (error) {
        ctx.logger.error("pairing unavailable", { error: (error as Error).message });
        return {
          ...decision,
          action: "deny",
          reason: `pairing unavailable: ${(error as Error).message}`,
        };
      }
      switch (result.status) {
        case "approved":
          return {
            ...decision,
            action: "allow",
            sender: "paired",
            reason: "dmPolicy=pairing: sender is paired",
            pairing: result,
          };
        case "full":
          return {
            ...decision,
            action: "deny",
            reason: "dmPolicy=pairing: too many pending pairing codes",
            pairing: result,
          };
        default:
          if (pairingReply !== false && !stopped) {
            const body = formatPairingReply(
              pairingReply,
              result.code,
              result.expiresAt,
              ctx.clock.now(),
            );
            await client.send({ to: jid, body }).catch((error: unknown) =>
              ctx.logger.warn("could not send the pairing code", {
                error: (error as Error).message,
              }),
            );
          }
          return {
            ...decision,
            reason:
              result.status === "created"
                ? "dmPolicy=pairing: code issued"
                : "dmPolicy=pairing: code already pending",
            pairing: result,
          };
      }
    };

    return {
      config,
      ready,
      decide: (event) => decide(config, event, isPaired),
      check,
      admitDm,
      roomSettings: (room) => roomSettings(config, room),
      pairing: {
        request: (jid) => pairing.request(jid),
        async approve(code) {
          const entry = await pairing.approve(code);
          await greetApproved({ pending: [], approved: [entry], lockedUntil: 0 });
          return entry;
        },
        list: () => pairing.list(),
        revoke: (jid) => pairing.revoke(jid),
        isPaired: (jid) => {
          const bare = tryParseJid(jid)?.bare;
          return bare !== undefined && pairing.isPaired(bare);
        },
      },
      refresh,
      on: events.on.bind(events),
      stop() {
        if (stopped) return;
        stopped = true;
        cancelPoll?.();
        limiter?.clear();
        events.clear();
      },
    };
  },
);
