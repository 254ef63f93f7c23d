/**
 * Pairing: an unknown sender receives a one-time code; the operator approves
 * the code out of band and the sender's bare JID is remembered. Bounds:
 * codes expire (1 h), at most `maxPending` wait at once, a sender who writes
 * again gets the same code rather than a new one, and wrong codes lock
 * approvals for a while so codes cannot be guessed through the approval path.
 */

import { timingSafeEqual } from "node:crypto";
import { parseJid } from "@clawxmpp/core";
import { z } from "zod";
import { generatePairingCode, normalisePairingCode, type RandomInt } from "./pairing-code.js";
import type { ApprovedPairing, PairingState, PendingPairing } from "./pairing-state.js";
import type { PairingStore } from "./pairing-store.js";
import { PolicyError } from "./policy-error.js";
import type { TimeSource } from "./rate-limit.js";

/** Pairing limits. */
export const pairingOptionsSchema = z
  .object({
    /** How long a code stays valid, in ms. @default 3600000 (1 hour) */
    ttl: z.number().int().min(1_000).default(3_600_000),
    /** Codes pending at once; further strangers are refused until one expires. @default 3 */
    maxPending: z.number().int().min(1).max(100).default(3),
    /** Wrong codes tolerated within `failureWindow` before approvals lock. @default 5 */
    maxFailedApprovals: z.number().int().min(1).default(5),
    /** Window in which wrong codes are counted, in ms. @default 900000 (15 minutes) */
    failureWindow: z.number().int().min(1).default(900_000),
    /** How long approvals stay locked after too many wrong codes, in ms. @default 900000 */
    lockout: z.number().int().min(1).default(900_000),
  })
  .strict();

/** Input of the pairing limits. */
export type PairingOptionsInput = z.input<typeof pairingOptionsSchema>;

/** Collaborators of {@link createPairing}. */
export interface PairingDeps {
  /** Where state is kept. */
  store: PairingStore;
  /** Time source. @default Date */
  clock?: TimeSource;
  /** Random integers for codes. @default crypto.randomInt */
  random?: RandomInt;
}

/** What {@link Pairing.request} did. */
export type PairingRequestResult =
  | { status: "created"; jid: string; code: string; expiresAt: number }
  | { status: "pending"; jid: string; code: string; expiresAt: number }
  | { status: "approved"; jid: string }
  | { status: "full"; jid: string; retryAt: number };

/** A snapshot of the pairing state. */
export interface PairingList {
  pending: PendingPairing[];
  approved: ApprovedPairing[];
  /** Epoch ms until which approvals are locked, or 0. */
  lockedUntil: number;
}

/** Pairing operations. Every mutation reloads the store first, so approvals made by another process are seen. */
export interface Pairing {
  /** (Re)loads the store; rejects with a `storage` error on an unreadable store. */
  load(): Promise<PairingList>;
  /** Whether `bareJid` is approved, from the last load (synchronous; false before the first load). */
  isPaired(bareJid: string): boolean;
  /** Issues (or returns the pending) code for `jid`. */
  request(jid: string): Promise<PairingRequestResult>;
  /** Approves a code; rejects with a `policy` error for a wrong code or while locked. */
  approve(code: string): Promise<ApprovedPairing>;
  /** Pending codes and approved JIDs. */
  list(): Promise<PairingList>;
  /** Removes an approval; true when there was one. */
  revoke(jid: string): Promise<boolean>;
  /** Records that `jid` has been greeted after approval. */
  markGreeted(jid: string): Promise<void>;
}

/** Creates the pairing manager over a store. */
export function createPairing(
  options: z.output<typeof pairingOptionsSchema>,
  deps: PairingDeps,
): Pairing {
  const clock = deps.clock ?? Date;
  let approved = new Set<string>();
  let chain: Promise<unknown> = Promise.resolve();

  // One operation at a time in this process; each is load → change → save.
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => {});
    return run;
  };
  // Mutations also hold the store's cross-process lock, when it has one.
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> =>
    serial(async () => {
      const release = deps.store.lock ? await deps.store.lock() : undefined;
      try {
        return await fn();
      } finally {
        await release?.();
      }
    });

  const read = async (): Promise<PairingState> => {
    const state = await deps.store.load();
    const now = clock.now();
    state.pending = state.pending.filter((p) => p.expiresAt > now);
    approved = new Set(state.approved.map((a) => a.jid));
    return state;
  };

  const write = async (state: PairingState): Promise<void> => {
    await deps.store.save(state);
    approved = new Set(state.approved.map((a) => a.jid));
  };

  const snapshot = (state: PairingState): PairingList => ({
    pending: state.pending.map((p) => ({ ...p })),
    approved: state.approved.map((a) => ({ ...a })),
    lockedUntil: state.failures.lockedUntil > clock.now() ? state.failures.lockedUntil : 0,
  });

  return {
    load: () => serial(async () => snapshot(await read())),
    isPaired: (bareJid) => approved.has(bareJid),
    list: () => serial(async () => snapshot(await read())),

    request: (input) =>
      exclusive(async () => {
        const jid = parseJid(input).bare;
        const state = await read();
        if (approved.has(jid)) return { status: "approved", jid };
        const existing = state.pending.find((p) => p.jid === jid);
        if (existing) {
          return { status: "pending", jid, code: existing.code, expiresAt: existing.expiresAt };
        }
        if (state.pending.length >= options.maxPending) {
          return {
            status: "full",
            jid,
            retryAt: Math.min(...state.pending.map((p) => p.expiresAt)),
          };
        }
        let code = generatePairingCode(deps.random);
        while (state.pending.some((p) => p.code === code)) code = generatePairingCode(deps.random);
        const now = clock.now();
        const entry = { code, jid, createdAt: now, expiresAt: now + options.ttl };
        state.pending.push(entry);
        await write(state);
        return { status: "created", jid, code, expiresAt: entry.expiresAt };
      }),

    approve: (input) =>
      exclusive(async () => {
        const state = await read();
        const now = clock.now();
        if (state.failures.lockedUntil > now) {
          throw new PolicyError(
            "policy",
            `too many wrong pairing codes; approvals are locked until ${new Date(state.failures.lockedUntil).toISOString()}`,
          );
        }
        const code = normalisePairingCode(input);
        const match =
          code === undefined ? undefined : state.pending.find((p) => sameCode(p.code, code));
        if (!match) {
          const failures = state.failures;
          if (now - failures.since > options.failureWindow) {
            failures.count = 0;
            failures.since = now;
          }
          failures.count++;
          const locked = failures.count >= options.maxFailedApprovals;
          if (locked) {
            failures.lockedUntil = now + options.lockout;
            failures.count = 0;
          }
          await write(state);
          throw new PolicyError(
            "policy",
            locked
              ? `unknown or expired pairing code; too many wrong codes, approvals locked for ${Math.round(options.lockout / 1000)} s`
              : "unknown or expired pairing code",
          );
        }
        state.pending = state.pending.filter((p) => p !== match);
        state.failures = { count: 0, since: 0, lockedUntil: 0 };
        let entry = state.approved.find((a) => a.jid === match.jid);
        if (!entry) {
          entry = { jid: match.jid, approvedAt: now, greeted: false };
          state.approved.push(entry);
        }
        await write(state);
        return { ...entry };
      }),

    revoke: (input) =>
      exclusive(async () => {
        const jid = parseJid(input).bare;
        const state = await read();
        const before = state.approved.length;
        state.approved = state.approved.filter((a) => a.jid !== jid);
        state.pending = state.pending.filter((p) => p.jid !== jid);
        await write(state);
        return state.approved.length !== before;
      }),

    markGreeted: (input) =>
      exclusive(async () => {
        const jid = parseJid(input).bare;
        const state = await read();
        const entry = state.approved.find((a) => a.jid === jid);
        if (!entry || entry.greeted) return;
        entry.greeted = true;
        await write(state);
      }),
  };
}

function sameCode(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
