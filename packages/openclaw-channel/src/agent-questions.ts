/**
 * Agent questions (OpenClaw's `ask_user`) over XMPP. On a messaging channel
 * OpenClaw 2026.9.6 sends a question as text: "Agent needs input:" (from an
 * agent harness) or "Question for you:" (from the `ask_user` tool), the
 * header and question, numbered options, and "Reply with the number or
 * option text."; a reply with the number answers it. For a single question
 * with at most nine options the tracker recognises that text as it is sent,
 * adds a line saying the keycap reactions (1️⃣ 2️⃣ …) choose, and remembers the
 * message, so an owner may answer by reaction or by the "Answer a question"
 * ad-hoc form (`question-command.ts`) as well as by typing. Each way ends as
 * the same reply text from the owner; OpenClaw resolves the question.
 *
 * Bounded like the approvals: at most {@link MAX_QUESTIONS} tracked, each
 * for OpenClaw's longest wait.
 */
import type { TrackerClock } from "./approvals.js";

/** A question's text, read back. */
export interface QuestionPrompt {
  /** The header and question lines. */
  question: string;
  /** Option labels, in order (option n is answered by `n`). */
  options: string[];
  /** A free answer is accepted too ("Other"). */
  other: boolean;
}

/** A question sent and waiting. */
export interface PendingQuestion extends QuestionPrompt {
  conversation: string;
  messageIds: string[];
}

/** Keycap reactions 1️⃣ … 9️⃣, index = option number − 1. */
export const KEYCAPS = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"] as const;
/** Most questions tracked at once. */
export const MAX_QUESTIONS = 100;
/** OpenClaw's longest `ask_user` wait (3600 s). */
export const QUESTION_TTL_MS = 3_600_000;
/** A harness asks "Agent needs input:"; the `ask_user` tool "Question for you:". */
const INTRO = /^(?:Agent needs input|Question for you):/u;
const GUIDANCE =
  /\n\nReply with the number(?: or option text|, the option text, or your own answer)\.$/u;
const OPTION = /^(\d)\. (.{1,500})$/u;

/** Reads a one-question, single-choice prompt out of a message text. */
export function parseQuestionPrompt(text: string): QuestionPrompt | undefined {
  const intro = text.length > 20_000 ? null : INTRO.exec(text);
  if (intro === null) return undefined;
  const guidance = GUIDANCE.exec(text);
  if (guidance === null) return undefined;
  const lines = text.slice(intro[0].length, guidance.index).trim().split("\n");
  const options: string[] = [];
  const question: string[] = [];
  let other = false;
  for (const line of lines) {
    const option = OPTION.exec(line);
    if (option !== null && Number(option[1]) === options.length + 1) {
      options.push(option[2]!.replace(/ - .*$/u, "").trim());
    } else if (options.length === 0) question.push(line);
    else if (/^Other: /u.test(line)) other = true;
    else return undefined;
  }
  if (options.length < 2 || options.length > KEYCAPS.length) return undefined;
  return { question: question.join("\n").trim(), options, other };
}

/** The line added under a question. */
export function questionHint(count: number): string {
  return `React ${KEYCAPS.slice(0, count).join(" ")} to choose (or use the "Answer a question" command).`;
}

/** Questions sent and waiting: the newest per conversation (the one a reply answers). */
export class QuestionTracker {
  readonly #pending = new Map<string, PendingQuestion & { cancel: () => void }>();
  readonly #clock: TrackerClock;

  constructor(clock: TrackerClock) {
    this.#clock = clock;
  }

  /** The question waiting in `conversation`, if any. */
  get(conversation: string): PendingQuestion | undefined {
    return this.#pending.get(conversation);
  }

  /** Every waiting question. */
  list(): PendingQuestion[] {
    return [...this.#pending.values()];
  }

  /** Records a question sent to `conversation`; it replaces an older one there. */
  track(prompt: QuestionPrompt, conversation: string, messageIds: readonly string[]): void {
    this.answered(conversation);
    if (this.#pending.size >= MAX_QUESTIONS) {
      const oldest = this.#pending.keys().next().value;
      if (oldest !== undefined) this.answered(oldest);
    }
    const entry = { ...prompt, conversation, messageIds: [...messageIds], cancel: () => {} };
    entry.cancel = this.#clock.setTimeout(() => {
      if (this.#pending.get(conversation) === entry) this.#pending.delete(conversation);
    }, QUESTION_TTL_MS);
    this.#pending.set(conversation, entry);
  }

  /** The question in `conversation` a reaction to `messageId` answers. */
  byMessage(conversation: string, messageId: string): PendingQuestion | undefined {
    const entry = this.#pending.get(conversation);
    return entry?.messageIds.includes(messageId) ? entry : undefined;
  }

  /** The question in `conversation` was answered: stop tracking it. */
  answered(conversation: string): void {
    const entry = this.#pending.get(conversation);
    entry?.cancel();
    this.#pending.delete(conversation);
  }

  /** Stops every timer. */
  clear(): void {
    for (const entry of this.#pending.values()) entry.cancel();
    this.#pending.clear();
  }
}
