import { describe, expect, it } from "vitest";
import { FifoSet } from "./fifo-set.js";

describe("FifoSet", () => {
  it("forgets the oldest beyond its size, in insertion order", () => {
    const set = new FifoSet(3);
    for (const k of ["a", "b", "c"]) set.add(k);
    expect(set.size).toBe(3);
    set.add("d");
    expect(set.has("a")).toBe(false);
    expect(["b", "c", "d"].every((k) => set.has(k))).toBe(true);
    set.add("e");
    set.add("f");
    set.add("g");
    expect(set.size).toBe(3);
    expect(["e", "f", "g"].every((k) => set.has(k))).toBe(true);
    expect(["b", "c", "d"].some((k) => set.has(k))).toBe(false);
  });

  it("adding a known item changes nothing (it keeps its place)", () => {
    const set = new FifoSet(2);
    set.add("a");
    set.add("b");
    set.add("a");
    expect(set.size).toBe(2);
    set.add("c");
    expect(set.has("a")).toBe(false);
    expect(set.has("b")).toBe(true);
    expect(set.has("c")).toBe(true);
  });

  it("stays at its size over many inserts", () => {
    const set = new FifoSet(1_000);
    for (let i = 0; i < 50_000; i++) set.add(`k${i}`);
    expect(set.size).toBe(1_000);
    expect(set.has("k49000")).toBe(true);
    expect(set.has("k48999")).toBe(false);
  });
});
