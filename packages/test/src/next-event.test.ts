import { EventEmitter } from "node:events";
import { Emitter } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { nextEvent } from "./next-event.js";

type Events = { ping: [number, string]; other: [] };

describe("nextEvent", () => {
  it("resolves with the arguments of a core emitter's event, and removes its listener", async () => {
    const emitter = new Emitter<Events>();
    const next = nextEvent(emitter, "ping");
    expect(emitter.listenerCount("ping")).toBe(1);
    emitter.emit("ping", 7, "seven");
    const [n, s] = await next;
    expect([n, s]).toEqual([7, "seven"]);
    expect(emitter.listenerCount("ping")).toBe(0);
  });

  it("skips events the filter rejects", async () => {
    const emitter = new Emitter<Events>();
    const next = nextEvent(emitter, "ping", { filter: (n) => n > 1 });
    emitter.emit("ping", 1, "one");
    emitter.emit("ping", 2, "two");
    expect(await next).toEqual([2, "two"]);
    expect(emitter.listenerCount("ping")).toBe(0);
  });

  it("rejects after the timeout naming the event, and removes its listener", async () => {
    const emitter = new Emitter<Events>();
    const next = nextEvent(emitter, "ping", { timeout: 20 });
    await expect(next).rejects.toThrow(/\[test\] no "ping" event within 20 ms/u);
    expect(emitter.listenerCount("ping")).toBe(0);
  });

  it("says when events came but none passed the filter", async () => {
    const emitter = new Emitter<Events>();
    const next = nextEvent(emitter, "ping", { timeout: 20, filter: () => false });
    emitter.emit("ping", 1, "one");
    await expect(next).rejects.toThrow(/"ping" event passing the filter within 20 ms/u);
    expect(emitter.listenerCount("ping")).toBe(0);
  });

  it("rejects with the filter's error and removes its listener", async () => {
    const emitter = new Emitter<Events>();
    const next = nextEvent(emitter, "ping", {
      filter: () => {
        throw new Error("bad filter");
      },
    });
    emitter.emit("ping", 1, "one");
    await expect(next).rejects.toThrow("bad filter");
    expect(emitter.listenerCount("ping")).toBe(0);
  });

  it("works with Node's EventEmitter", async () => {
    const emitter = new EventEmitter();
    const next = nextEvent(emitter, "data");
    emitter.emit("data", "a", 1);
    expect(await next).toEqual(["a", 1]);
    expect(emitter.listenerCount("data")).toBe(0);
    await expect(nextEvent(emitter, "data", { timeout: 10 })).rejects.toThrow(/"data"/u);
    expect(emitter.listenerCount("data")).toBe(0);
  });
});
