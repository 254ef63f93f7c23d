/**
 * The fuzz engine's own checks can fail: a plugin that throws, leaves a
 * promise rejection unhandled and hoards every stanza is loaded next to the
 * real ones, and each kind of fault shows up in the report.
 */
import { definePlugin } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { fuzzCase } from "./fuzz-case.js";
import { runFuzz } from "./run-fuzz.js";
import { defaultScene } from "./scene.js";

const hoard: number[][] = [];

const faulty = definePlugin("faulty", (ctx) => {
  let seen = 0;
  ctx.inbound.use("parse", () => {
    seen++;
    // About 40 KB of heap per stanza, never released.
    hoard.push(new Array(5_000).fill(seen));
    if (seen % 7 === 0) throw new Error("faulty: parse stage broke");
    if (seen % 11 === 0) void Promise.reject(new Error("faulty: nobody awaits this"));
  });
  return { stop() {} };
});

describe("fuzz engine", () => {
  it("rebuilds the same case from the same seed and index", () => {
    const a = fuzzCase(7, 123, defaultScene());
    const b = fuzzCase(7, 123, defaultScene());
    expect(a.stanza.toString()).toBe(b.stanza.toString());
    expect(a.mutations).toEqual(b.mutations);
    expect(fuzzCase(8, 123, defaultScene()).stanza.toString()).not.toBe(a.stanza.toString());
  });

  it("reports crashes, unhandled rejections and a growing heap", { timeout: 60_000 }, async () => {
    const report = await runFuzz({
      seed: 1,
      cases: 600,
      warmup: 100,
      dropEvery: 0,
      plugins: [{ plugin: faulty, options: {} }],
    });
    expect(report.crashes).toBeGreaterThan(0);
    expect(report.findings.map((f) => f.kind)).toContain("logged-error");
    expect(report.findings.find((f) => f.kind === "logged-error")?.examples[0]?.stanza).toMatch(
      /^</u,
    );
    expect(report.unhandledRejections).toBeGreaterThan(0);
    expect(report.heap.growth).toBeGreaterThan(8 * 1024 * 1024);
    hoard.length = 0;
  });
});
