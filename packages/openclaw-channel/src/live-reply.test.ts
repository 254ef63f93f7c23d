import { describe, expect, it } from "vitest";
import { createLiveReply, type LiveReplyClock } from "./live-reply.js";

/** A manual clock: time moves only with `advance`. */
function manualClock() {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const clock: LiveReplyClock = {
    now: () => now,
    schedule(fn, ms) {
      const timer = { at: now + ms, fn };
      timers.push(timer);
      return () => {
        const index = timers.indexOf(timer);
        if (index >= 0) timers.splice(index, 1);
      };
    },
  };
  return {
    clock,
    advance(ms: number) {
      now += ms;
      for (const timer of timers.filter((t) => t.at <= now)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.fn();
      }
    },
    pending: () => timers.length,
  };
}

function recordingSink() {
  const log: string[] = [];
  let next = 0;
  return {
    log,
    sink: {
      send: async (text: string) => {
        const id = `m${++next}`;
        log.push(`send ${id} ${text}`);
        return id;
      },
      correct: async (id: string, text: string) => {
        log.push(`correct ${id} ${text}`);
      },
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("live reply with corrections", () => {
  it("sends the first text at once, corrects at the throttled rate, ends with the final text", async () => {
    const { clock, advance } = manualClock();
    const { sink, log } = recordingSink();
    const live = createLiveReply({ sink, corrections: true, throttleMs: 1000, clock });
    live.partial("Hel");
    await settle();
    expect(log).toEqual(["send m1 Hel"]);
    live.partial("Hello");
    live.partial("Hello wor");
    await settle();
    // Inside the throttle window: nothing new yet.
    expect(log).toHaveLength(1);
    advance(1000);
    await settle();
    expect(log).toEqual(["send m1 Hel", "correct m1 Hello wor"]);
    expect(await live.finish("Hello world.")).toBe(true);
    expect(log).toEqual(["send m1 Hel", "correct m1 Hello wor", "correct m1 Hello world."]);
  });

  it("a paragraph end goes out after half the interval", async () => {
    const { clock, advance } = manualClock();
    const { sink, log } = recordingSink();
    const live = createLiveReply({ sink, corrections: true, throttleMs: 1000, clock });
    live.partial("One");
    await settle();
    advance(500);
    live.partial("One.\n\n");
    await settle();
    expect(log.at(-1)).toBe("correct m1 One.\n\n");
  });

  it("a final text equal to what is shown is not sent again", async () => {
    const { clock } = manualClock();
    const { sink, log } = recordingSink();
    const live = createLiveReply({ sink, corrections: true, throttleMs: 1000, clock });
    live.partial("Done");
    await settle();
    expect(await live.finish("Done")).toBe(true);
    expect(log).toEqual(["send m1 Done"]);
  });

  it("nothing streamed: finish leaves the final text to the caller", async () => {
    const { sink, log } = recordingSink();
    const live = createLiveReply({ sink, corrections: true, throttleMs: 1000 });
    expect(await live.finish("All at once")).toBe(false);
    expect(log).toEqual([]);
  });

  it("a new assistant message starts a new message", async () => {
    const { clock } = manualClock();
    const { sink, log } = recordingSink();
    const live = createLiveReply({ sink, corrections: true, throttleMs: 1000, clock });
    live.partial("Looking");
    await settle();
    live.partial("Looking it up");
    live.rotate();
    live.partial("Found");
    await settle();
    await live.finish("Found it");
    expect(log).toEqual([
      "send m1 Looking",
      "correct m1 Looking it up",
      "send m2 Found",
      "correct m2 Found it",
    ]);
  });

  it("waits for the disco answer before the first send", async () => {
    const { sink, log } = recordingSink();
    let answer!: (value: boolean) => void;
    const corrections = new Promise<boolean>((resolve) => {
      answer = resolve;
    });
    const live = createLiveReply({ sink, corrections, throttleMs: 1000 });
    live.partial("Hi");
    await settle();
    expect(log).toEqual([]);
    answer(true);
    await settle();
    expect(log).toEqual(["send m1 Hi"]);
    live.close();
  });
});

describe("live reply without corrections (blocks)", () => {
  it("sends finished paragraphs as they complete and the rest at the end", async () => {
    const { sink, log } = recordingSink();
    const live = createLiveReply({ sink, corrections: false, throttleMs: 1000 });
    live.partial("First para");
    await settle();
    expect(log).toEqual([]);
    live.partial("First para.\n\nSecond");
    await settle();
    expect(log).toEqual(["send m1 First para."]);
    expect(await live.finish("First para.\n\nSecond para.")).toBe(true);
    expect(log).toEqual(["send m1 First para.", "send m2 Second para."]);
  });

  it("a failed first send is reported and the final text is left to the caller", async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const live = createLiveReply({
      corrections: true,
      throttleMs: 1000,
      onError: (error) => errors.push(error),
      sink: {
        send: async () => {
          calls++;
          throw new Error("offline");
        },
        correct: async () => {},
      },
    });
    live.partial("x");
    expect(await live.finish("xy")).toBe(false);
    expect(calls).toBe(1);
    expect(errors).toHaveLength(1);
  });
});
