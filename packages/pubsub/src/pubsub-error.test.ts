import { ClawXmppError, StanzaError, TimeoutError } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { PubsubError } from "./pubsub-error.js";

const target = { service: "pubsub.example.test", node: "n" };

describe("PubsubError codes", () => {
  it("declares its own codes instead of core's", () => {
    expect(PubsubError.from(new StanzaError("forbidden", "auth"), target)).toMatchObject({
      code: "refused",
      condition: "forbidden",
    });
    expect(PubsubError.from(new TimeoutError("iq", 5), target)).toMatchObject({
      code: "timeout",
      condition: "timeout",
    });
    expect(PubsubError.from(new ClawXmppError("not-connected", "offline"), target)).toMatchObject({
      code: "unavailable",
      condition: "not-connected",
    });
    expect(PubsubError.from(new Error("boom"), target)).toMatchObject({
      code: "internal",
      condition: "internal",
    });
    expect(PubsubError.local("invalid", target, "bad")).toMatchObject({ code: "invalid" });
    expect(PubsubError.local("malformed", target, "odd")).toMatchObject({ code: "malformed" });
  });

  it("passes a PubsubError through unchanged", () => {
    const original = PubsubError.local("invalid", target, "bad");
    expect(PubsubError.from(original, target)).toBe(original);
  });
});
