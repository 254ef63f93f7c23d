/**
 * Exec approvals over XMPP. OpenClaw forwards an approval prompt to the chat
 * (`approvals.exec`, mode `session` or `targets`) through the normal outbound
 * path; its text names the decisions as `/approve <id> <decision>` lines. The
 * tracker recognises those prompts as they are sent, adds a line saying which
 * XEP-0444 reaction means what, and remembers the message id, so a reaction
 * to it, the ad-hoc "approve" form (`approval-command.ts`) or a typed
 * `/approve` all end as the same `/approve <id> <decision>` owner turn:
 * OpenClaw itself checks the approver and confirms the decision in the chat.
 * When a prompt's time runs out the chat is told it expired; a late reaction
 * to an expired prompt is answered the same way.
 *
 * Bounded: at most {@link MAX_PENDING} prompts are tracked (the oldest goes),
 * and at most {@link MAX_EXPIRED} ended ones are remembered.
 */

/** The decisions OpenClaw offers (`ExecApprovalDecision`). */
export const DECISIONS = ["allow-once", "allow-always", "deny"] as const;

/** One decision. */
export type ApprovalDecision = (typeof DECISIONS)[number];

/** Reactions and the decision each stands for (✅ ♾️ ❌ as Matrix does, 👍/👎 as Signal does). */
export const REACTION_DECISIONS: Readonly<Record<string, ApprovalDecision>> = {
  "✅": "allow-once",
  "👍": "allow-once",
  "♾️": "allow-always",
  "♾": "allow-always",
  "❌": "deny",
  "👎": "deny",
};

/** What a prompt's text says. */
export interface ApprovalPrompt {
  /** The id `/approve` takes (OpenClaw's slug or full id). */
  id: string;
  decisions: ApprovalDecision[];
  /** The pending command, when the prompt shows it. */
  command: string | undefined;
  /** Milliseconds until it expires, when the prompt says. */
  expiresInMs: number | undefined;
}

/** A prompt we sent and still wait on. */
export interface PendingApproval extends ApprovalPrompt {
  /** The chat it was sent to (bare JID). */
  conversation: string;
  /** Ids a reaction may reference (stanza id, origin-id). */
  messageIds: string[];
  expiresAt: number;
}

/** Most prompts tracked at once. */
export const MAX_PENDING = 100;
/** Most ended prompts remembered (to answer a late reaction). */
export const MAX_EXPIRED = 500;
/** Assumed lifetime when the prompt does not say (OpenClaw's default exec approval timeout). */
export const DEFAULT_APPROVAL_TTL_MS = 30 * 60_000;
const MAX_PROMPT_CHARS = 20_000;

/**
 * `/approve <id> <decision>` lines (the reply payload's prompt), or the forwarder's one line
 * `Reply with: /approve <id> allow-once|allow-always|deny`.
 */
const APPROVE_LINE =
  /^(?:Reply with:\s*)?\/approve\s+(\S{1,200})\s+((?:allow-once|allow-always|deny)(?:\|(?:allow-once|allow-always|deny)){0,2})\s*$/gmu;
const EXPIRES = /^Expires in:\s*(.{1,40})$/mu;
const COMMAND = /(?:Pending command|Command):\s*```[a-z]*\n([\s\S]{0,2000}?)\n```/u;
const INLINE_COMMAND = /^Command: `(.{1,2000})`$/mu;
/** The forwarder's notice that an approval was decided or expired (`… ID: <id>`). */
const ENDED = /^(?:✅ Exec approval |⏱️ Exec approval expired)[^\n]{0,300}\bID: (\S{1,200})$/u;

/** Reads an approval prompt out of a message text, or undefined when it is not one. */
export function parseApprovalPrompt(text: string): ApprovalPrompt | undefined {
  if (text.length > MAX_PROMPT_CHARS || !text.includes("/approve ")) return undefined;
  let id: string | undefined;
  const decisions = new Set<ApprovalDecision>();
  for (const match of text.matchAll(APPROVE_LINE)) {
    // One prompt, one id: a text quoting several approvals is not a prompt we can map.
    if (id !== undefined && match[1] !== id) return undefined;
    id = match[1]!;
    for (const decision of match[2]!.split("|")) decisions.add(decision as ApprovalDecision);
  }
  if (id === undefined) return undefined;
  const expires = EXPIRES.exec(text)?.[1];
  return {
    id,
    decisions: DECISIONS.filter((d) => decisions.has(d)),
    command: (COMMAND.exec(text)?.[1] ?? INLINE_COMMAND.exec(text)?.[1])?.trim(),
    expiresInMs: expires === undefined ? undefined : parseDuration(expires),
  };
}

/** The approval id an OpenClaw "decided" or "expired" notice is about. */
export function endedApprovalId(text: string): string | undefined {
  return text.length > 1_000 ? undefined : ENDED.exec(text.trim())?.[1];
}

/** `1h 2m 3s` / `45s` (OpenClaw's `formatExecApprovalExpiresIn`) in milliseconds. */
export function parseDuration(text: string): number | undefined {
  let total = 0;
  let any = false;
  for (const match of text.matchAll(/(\d{1,6})\s*([hms])/gu)) {
    any = true;
    total += Number(match[1]) * { h: 3_600_000, m: 60_000, s: 1_000 }[match[2] as "h" | "m" | "s"];
  }
  return any ? total : undefined;
}

/** The line added under a prompt: which reaction means what. */
export function reactionHint(decisions: readonly ApprovalDecision[]): string {
  const parts: string[] = [];
  if (decisions.includes("allow-once")) parts.push("✅ allow once");
  if (decisions.includes("allow-always")) parts.push("♾️ allow always");
  if (decisions.includes("deny")) parts.push("❌ deny");
  return `React ${parts.join(", ")} (or use the "Answer an approval" command).`;
}

/** Timers the tracker needs (the client's clock in the gateway, a fake one in tests). */
export interface TrackerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): () => void;
}

/** Prompts sent and waiting. */
export class ApprovalTracker {
  readonly #pending = new Map<string, PendingApproval & { cancel: () => void }>();
  /** Ended prompts by `conversation\0messageId` → why they ended. */
  readonly #ended = new Map<string, "expired" | "answered">();
  readonly #clock: TrackerClock;
  readonly #onExpired: (approval: PendingApproval) => void;

  constructor(clock: TrackerClock, onExpired: (approval: PendingApproval) => void) {
    this.#clock = clock;
    this.#onExpired = onExpired;
  }

  /** Prompts waiting, newest last; only those sent to `conversation` when given. */
  list(conversation?: string): PendingApproval[] {
    return [...this.#pending.values()].filter(
      (p) => conversation === undefined || p.conversation === conversation,
    );
  }

  /** The prompt `id`, if waiting. */
  get(id: string): PendingApproval | undefined {
    return this.#pending.get(id);
  }

  /** Records a prompt just sent to `conversation` as the message `messageIds`. */
  track(prompt: ApprovalPrompt, conversation: string, messageIds: readonly string[]): void {
    this.#pending.get(prompt.id)?.cancel();
    this.#pending.delete(prompt.id);
    if (this.#pending.size >= MAX_PENDING) {
      const oldest = this.#pending.values().next().value;
      if (oldest !== undefined) this.#end(oldest, "expired");
    }
    const ttl = prompt.expiresInMs ?? DEFAULT_APPROVAL_TTL_MS;
    const entry = {
      ...prompt,
      conversation,
      messageIds: messageIds.filter((id) => id !== ""),
      expiresAt: this.#clock.now() + ttl,
      cancel: () => {},
    };
    entry.cancel = this.#clock.setTimeout(() => {
      if (this.#pending.get(entry.id) !== entry) return;
      this.#end(entry, "expired");
      this.#onExpired(entry);
    }, ttl);
    this.#pending.set(prompt.id, entry);
  }

  /**
   * The prompt a reaction in `conversation` to `messageId` answers: waiting, ended (and why),
   * or unknown (a reaction to some other message).
   */
  byMessage(
    conversation: string,
    messageId: string,
  ): PendingApproval | "expired" | "answered" | undefined {
    for (const entry of this.#pending.values()) {
      if (entry.conversation === conversation && entry.messageIds.includes(messageId)) return entry;
    }
    return this.#ended.get(`${conversation}\0${messageId}`);
  }

  /** The prompt `id` was answered (by whatever means): stop tracking it. */
  answered(id: string): void {
    const entry = this.#pending.get(id);
    if (entry !== undefined) this.#end(entry, "answered");
  }

  /** Stops every timer. */
  clear(): void {
    for (const entry of this.#pending.values()) entry.cancel();
    this.#pending.clear();
    this.#ended.clear();
  }

  #end(entry: PendingApproval & { cancel: () => void }, why: "expired" | "answered"): void {
    entry.cancel();
    this.#pending.delete(entry.id);
    for (const id of entry.messageIds) this.#ended.set(`${entry.conversation}\0${id}`, why);
    while (this.#ended.size > MAX_EXPIRED) {
      const oldest = this.#ended.keys().next().value;
      if (oldest === undefined) break;
      this.#ended.delete(oldest);
    }
  }
}
