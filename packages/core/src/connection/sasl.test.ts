import { describe, expect, it } from "vitest";
import { chooseMechanism } from "./sasl.js";

describe("chooseMechanism", () => {
  it("prefers the strongest SCRAM", () => {
    expect(chooseMechanism(["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"], true)).toBe("SCRAM-SHA-256");
    expect(chooseMechanism(["SCRAM-SHA-512", "SCRAM-SHA-1"], true)).toBe("SCRAM-SHA-512");
  });
  it("uses PLAIN only over TLS", () => {
    expect(chooseMechanism(["PLAIN"], true)).toBe("PLAIN");
    expect(chooseMechanism(["PLAIN"], false)).toBeUndefined();
    expect(chooseMechanism(["PLAIN", "SCRAM-SHA-1"], false)).toBe("SCRAM-SHA-1");
  });
  it("never picks what it cannot do", () => {
    expect(chooseMechanism(["X-OAUTH2", "ANONYMOUS", "DIGEST-MD5"], true)).toBeUndefined();
  });
});
