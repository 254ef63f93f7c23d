import { describe, expect, it } from "vitest";
import {
  MAX_QUESTIONS,
  parseQuestionPrompt,
  QuestionTracker,
  questionHint,
} from "./agent-questions.js";

const SINGLE_CHOICE = "Reply with the number or option text.";

/**
 * A question prompt laid out as OpenClaw writes it: the intro, a blank line, the question's
 * lines, the numbered options, any lines after them, a blank line and the closing hint.
 */
function prompt(parts: {
  intro?: string;
  question: string[];
  options: string[];
  after?: string[];
  hint?: string;
}): string {
  return [
    parts.intro ?? "Agent needs input:",
    "",
    ...parts.question,
    ...parts.options.map((option, i) => `${i + 1}. ${option}`),
    ...(parts.after ?? []),
    "",
    parts.hint ?? SINGLE_CHOICE,
  ].join("\n");
}

describe("agent question prompts", () => {
  it("reads a single-choice question, its options and whether a free answer is allowed", () => {
    const text = prompt({
      question: ["Deploy", "Which environment?"],
      options: ["staging - the safe one", "production"],
    });
    expect(text).toBe(
      "Agent needs input:\n\nDeploy\nWhich environment?\n1. staging - the safe one\n2. production\n\nReply with the number or option text.",
    );
    expect(parseQuestionPrompt(text)).toEqual({
      question: "Deploy\nWhich environment?",
      options: ["staging", "production"],
      other: false,
    });
    expect(questionHint(2)).toBe('React 1️⃣ 2️⃣ to choose (or use the "Answer a question" command).');
  });

  it('reads the ask_user tool\'s prompt (intro "Question for you:", a free answer allowed)', () => {
    const text = prompt({
      intro: "Question for you:",
      question: ["Colour", "Which colour?"],
      options: ["Red", "Blue"],
      after: ["Other: reply with your own answer."],
      hint: "Reply with the number, the option text, or your own answer.",
    });
    expect(parseQuestionPrompt(text)).toEqual({
      question: "Colour\nWhich colour?",
      options: ["Red", "Blue"],
      other: true,
    });
  });

  it("ignores multi-select, several questions, ordinary text and junk after the options", () => {
    const multi = prompt({
      question: ["Pick", "Which?"],
      options: ["a", "b"],
      hint: "Reply with comma-separated option numbers or text, or your own answer.",
    });
    expect(parseQuestionPrompt(multi)).toBeUndefined();
    expect(parseQuestionPrompt(SINGLE_CHOICE)).toBeUndefined();
    const junk = prompt({ question: ["Q"], options: ["a", "b"], after: ["surprise"] });
    expect(parseQuestionPrompt(junk)).toBeUndefined();
  });

  it("keeps the newest question per conversation, bounded", () => {
    const tracker = new QuestionTracker({ now: () => 0, setTimeout: () => () => {} });
    const prompt = { question: "q", options: ["a", "b"], other: false };
    for (let i = 0; i < MAX_QUESTIONS + 20; i++) tracker.track(prompt, `u${i}@x.test`, [`m${i}`]);
    expect(tracker.list()).toHaveLength(MAX_QUESTIONS);
    tracker.track(prompt, "u150@x.test", ["newer"]);
    tracker.track({ ...prompt, question: "second" }, "u119@x.test", ["m-late"]);
    expect(tracker.byMessage("u119@x.test", "m119")).toBeUndefined();
    expect(tracker.byMessage("u119@x.test", "m-late")?.question).toBe("second");
    tracker.answered("u119@x.test");
    expect(tracker.get("u119@x.test")).toBeUndefined();
  });
});
