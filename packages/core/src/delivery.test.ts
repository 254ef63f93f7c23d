import { describe, expect, it } from "vitest";
import { ReliableDelivery } from "./delivery.js";
import { silentLogger } from "./logger.js";
import { xml } from "./xml.js";

function tracker(resend: (id: string) => Promise<void>) {
  return new ReliableDelivery({
    maxPending: 100,
    maxAgeMs: 60_000,
    now: () => 0,
    logger: silentLogger,
    resend: (stanza) => resend(stanza.attrs.id ?? ""),
  });
}

const message = (id: string) =>
  xml("message", { to: "alice@example.test", type: "chat", id }, xml("body", {}, "hi"));

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("ReliableDelivery", () => {
  it("re-sends what a lost server acked once per new session until the peer confirms", async () => {
    const resent: string[] = [];
    const d = tracker(async (id) => {
      resent.push(id);
    });
    d.track(message("m1"), 1);
    d.acked("m1");
    d.newSession(2);
    await settle();
    expect(resent).toEqual(["m1"]);
    d.received("alice@example.test/phone", "m1");
    d.newSession(3);
    await settle();
    expect(resent).toEqual(["m1"]);
    expect(d.size).toBe(0);
  });

  it("a refused re-send (full queue) is tried again after the next new session", async () => {
    let refuse = true;
    const resent: string[] = [];
    const d = tracker(async (id) => {
      if (refuse) throw new Error("queue-full");
      resent.push(id);
    });
    d.track(message("m1"), 1);
    d.acked("m1");
    d.newSession(2);
    await settle();
    expect(resent).toEqual([]);
    refuse = false;
    d.newSession(3);
    await settle();
    expect(resent).toEqual(["m1"]);
  });
});
