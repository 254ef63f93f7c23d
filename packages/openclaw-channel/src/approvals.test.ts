import { describe, expect, it } from "vitest";
import {
  ApprovalTracker,
  endedApprovalId,
  MAX_PENDING,
  parseApprovalPrompt,
  parseDuration,
  reactionHint,
  type TrackerClock,
} from "./approvals.js";

/** A prompt laid out as OpenClaw 2026.9.6's `buildExecApprovalPendingReplyPayload` writes it. */
function promptText(id: string, options: { always?: boolean; expires?: string } = {}) {
  const always = options.always ?? true;
  return [
    "Approval required.",
    "Run:",
    `\`\`\`txt\n/approve ${id} allow-once\n\`\`\``,
    "Pending command:",
    "```sh\necho hello\n```",
    "Other options:",
    `\`\`\`txt\n${always ? `/approve ${id} allow-always\n` : ""}/approve ${id} deny\n\`\`\``,
    ...(always ? [] : ["Allow Always is unavailable for this command."]),
    `Host: gateway\nExpires in: ${options.expires ?? "30m"}\nFull id: \`${id}-full\``,
  ].join("\n\n");
}

function manualClock(): TrackerClock & { advance(ms: number): void } {
  let now = 0;
  const timers = new Set<{ at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const timer = { at: now + ms, fn };
      timers.add(timer);
      return () => timers.delete(timer);
    },
    advance(ms) {
      now += ms;
      for (const timer of [...timers]) {
        if (timer.at <= now) {
          timers.delete(timer);
          timer.fn();
        }
      }
    },
  };
}

describe("approval prompts", () => {
  it("reads the id, the offered decisions, the command and the expiry", () => {
    expect(parseApprovalPrompt(promptText("ab12"))).toEqual({
      id: "ab12",
      decisions: ["allow-once", "allow-always", "deny"],
      command: "echo hello",
      expiresInMs: 30 * 60_000,
    });
    expect(parseApprovalPrompt(promptText("ab12", { always: false }))?.decisions).toEqual([
      "allow-once",
      "deny",
    ]);
  });

  it("reads the forwarder's prompt (one `Reply with:` line) and its decided/expired notices", () => {
    const forwarded = [
      "🔒 Exec approval required",
      "ID: 5f0c-full",
      "Command: `touch x.done`",
      "Host: gateway",
      "Expires in: 2m",
      "Mode: foreground (interactive approvals available in this chat).",
      "Reply with: /approve 5f0c-full allow-once|deny",
      "Allow Always is unavailable for this command.",
    ].join("\n");
    expect(parseApprovalPrompt(forwarded)).toEqual({
      id: "5f0c-full",
      decisions: ["allow-once", "deny"],
      command: "touch x.done",
      expiresInMs: 120_000,
    });
    expect(endedApprovalId("✅ Exec approval allowed once. Resolved by x. ID: 5f0c-full")).toBe(
      "5f0c-full",
    );
    expect(endedApprovalId("⏱️ Exec approval expired. ID: 5f0c-full")).toBe("5f0c-full");
    expect(endedApprovalId("hello ID: x")).toBeUndefined();
  });

  it("ignores ordinary text, several ids and oversized text", () => {
    expect(parseApprovalPrompt("hello /approve is a command")).toBeUndefined();
    expect(parseApprovalPrompt("/approve a allow-once\n/approve b deny")).toBeUndefined();
    expect(parseApprovalPrompt(`${"x".repeat(30_000)}\n/approve a deny`)).toBeUndefined();
  });

  it("parses OpenClaw's durations and says which reaction means what", () => {
    expect(parseDuration("1h 2m")).toBe(3_720_000);
    expect(parseDuration("45s")).toBe(45_000);
    expect(parseDuration("soon")).toBeUndefined();
    expect(reactionHint(["allow-once", "deny"])).toBe(
      'React ✅ allow once, ❌ deny (or use the "Answer an approval" command).',
    );
  });
});

describe("ApprovalTracker", () => {
  it("finds a prompt by its message, ends it when answered, and says so to a late reaction", () => {
    const clock = manualClock();
    const expired: string[] = [];
    const tracker = new ApprovalTracker(clock, (a) => expired.push(a.id));
    tracker.track(parseApprovalPrompt(promptText("a1"))!, "owner@x.test", ["m1", "o1"]);
    expect(tracker.byMessage("owner@x.test", "o1")).toMatchObject({ id: "a1" });
    expect(tracker.byMessage("other@x.test", "o1")).toBeUndefined();
    tracker.answered("a1");
    expect(tracker.byMessage("owner@x.test", "m1")).toBe("answered");
    clock.advance(31 * 60_000);
    expect(expired).toEqual([]);
  });

  it("expires a prompt when its time runs out and reports it once", () => {
    const clock = manualClock();
    const expired: string[] = [];
    const tracker = new ApprovalTracker(clock, (a) => expired.push(a.id));
    tracker.track(parseApprovalPrompt(promptText("a2", { expires: "45s" }))!, "o@x.test", ["m2"]);
    clock.advance(44_000);
    expect(tracker.list()).toHaveLength(1);
    clock.advance(2_000);
    expect(expired).toEqual(["a2"]);
    expect(tracker.list()).toEqual([]);
    expect(tracker.byMessage("o@x.test", "m2")).toBe("expired");
  });

  it("tracks at most MAX_PENDING prompts, dropping the oldest", () => {
    const tracker = new ApprovalTracker(manualClock(), () => {});
    for (let i = 0; i < MAX_PENDING + 50; i++) {
      tracker.track(parseApprovalPrompt(promptText(`id${i}`))!, "o@x.test", [`m${i}`]);
    }
    expect(tracker.list()).toHaveLength(MAX_PENDING);
    expect(tracker.get("id0")).toBeUndefined();
    expect(tracker.byMessage("o@x.test", "m0")).toBe("expired");
    tracker.clear();
    expect(tracker.list()).toEqual([]);
  });
});
