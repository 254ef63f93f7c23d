import { describe, expect, it } from "vitest";
import { ConversationQueues } from "./conversation-queue.js";

/** A turn that runs until released; records when it started. */
function gated(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    release,
    turn: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("conversation queues", () => {
  it("runs one queued turn at a time per conversation; other conversations run alongside", async () => {
    const queues = new ConversationQueues({ maxConversations: 10, maxQueued: 10 });
    const log: string[] = [];
    const a1 = gated(log, "a1");
    const a2 = gated(log, "a2");
    const b1 = gated(log, "b1");
    const runs = [
      queues.enqueue("a", a1.turn),
      queues.enqueue("a", a2.turn),
      queues.enqueue("b", b1.turn),
    ];
    await tick();
    expect(log).toEqual(["start a1", "start b1"]);
    a1.release();
    await tick();
    expect(log).toEqual(["start a1", "start b1", "end a1", "start a2"]);
    a2.release();
    b1.release();
    expect(await Promise.all(runs)).toEqual(["a1", "a2", "b1"]);
    await tick();
    expect(queues.size).toBe(0);
  });

  it("a passing turn starts at once; the turns queued behind it wait for it to end too", async () => {
    const queues = new ConversationQueues({ maxConversations: 10, maxQueued: 10 });
    const log: string[] = [];
    // The asking turn waits for its answer, which passes the queue.
    const asking = gated(log, "asking");
    const answer = gated(log, "answer");
    const next = gated(log, "next");
    const asked = queues.enqueue("alice", asking.turn);
    await tick();
    const answered = queues.pass("alice", answer.turn);
    await tick();
    expect(log).toEqual(["start asking", "start answer"]);
    const followed = queues.enqueue("alice", next.turn);
    // The asking turn ends before the answer's turn does (OpenClaw finishes an answer last).
    asking.release();
    await asked;
    await tick();
    expect(log).not.toContain("start next");
    answer.release();
    await answered;
    await tick();
    expect(log.at(-1)).toBe("start next");
    next.release();
    await followed;
    await tick();
    expect(queues.size).toBe(0);
  });

  it("a turn queued before the answer passed waits for it as well, and a failed pass frees the queue", async () => {
    const queues = new ConversationQueues({ maxConversations: 10, maxQueued: 10 });
    const log: string[] = [];
    const asking = gated(log, "asking");
    const later = gated(log, "later");
    const asked = queues.enqueue("alice", asking.turn);
    const queued = queues.enqueue("alice", later.turn);
    await tick();
    let fail!: (error: Error) => void;
    const answered = queues.pass(
      "alice",
      () =>
        new Promise<string>((_, reject) => {
          fail = reject;
        }),
    );
    asking.release();
    await asked;
    await tick();
    expect(log).toEqual(["start asking", "end asking"]);
    fail(new Error("boom"));
    await expect(answered).rejects.toThrow("boom");
    await tick();
    expect(log.at(-1)).toBe("start later");
    later.release();
    await queued;
  });

  it("bounds the queued turns per conversation and the conversations", async () => {
    const queues = new ConversationQueues({ maxConversations: 2, maxQueued: 2 });
    const log: string[] = [];
    const held = gated(log, "held");
    queues.enqueue("a", held.turn);
    queues.enqueue("a", async () => "second");
    expect(queues.enqueue("a", async () => "third")).toBe("conversation queue full");
    queues.enqueue("b", async () => "b");
    expect(queues.enqueue("c", async () => "c")).toBe("too many active conversations");
    // A passing turn is never refused: it may be what the queue waits for.
    expect(await queues.pass("c", async () => "answer")).toBe("answer");
    held.release();
  });
});
