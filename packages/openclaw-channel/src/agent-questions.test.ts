import { describe, expect, it } from "vitest";
import {
  MAX_QUESTIONS,
  parseQuestionPrompt,
  QuestionTracker,
  questionHint,
} from "./agent-questions.js";

const lines = (...parts: string[]) => parts.join("\n");

describe("agent question prompts", () => {
  it("reads a single-choice question, its options and whether a free answer is allowed", () => {
    const text = lines(
      "Agent needs input:",
      "",
      "Deploy",
      "Which environment?",
      "1. staging - the safe one",
      "2. production",
      "",
      "Reply with the number or option text.",
    );
    expect(parseQuestionPrompt(text)).toEqual({
      question: "Deploy\nWhich environment?",
      options: ["staging", "production"],
      other: false,
    });
    expect(questionHint(2)).toBe('React 1️⃣ 2️⃣ to choose (or use the "Answer a question" command).');
  });

  it('reads the ask_user tool\'s prompt (intro "Question for you:", a free answer allowed)', () => {
    const text = lines(
      "Question for you:",
      "",
      "Colour",
      "Which colour?",
      "1. Red",
      "2. Blue",
      "Other: reply with your own answer.",
      "",
      "Reply with the number, the option text, or your own answer.",
    );
    expect(parseQuestionPrompt(text)).toEqual({
      question: "Colour\nWhich colour?",
      options: ["Red", "Blue"],
      other: true,
    });
  });

  it("ignores multi-select, several questions, ordinary text and junk after the options", () => {
    const multi = lines(
      "Agent needs input:",
      "",
      "Pick",
      "Which?",
      "1. a",
      "2. b",
      "",
      "Reply with comma-separated option numbers or text, or your own answer.",
    );
    expect(parseQuestionPrompt(multi)).toBeUndefined();
    expect(parseQuestionPrompt("Reply with the number or option text.")).toBeUndefined();
    const junk = lines(
      "Agent needs input:",
      "",
      "Q",
      "1. a",
      "2. b",
      "surprise",
      "",
      "Reply with the number or option text.",
    );
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
