import { describe, expect, it } from "vitest";
import { xml } from "../xml.js";
import { chooseBindingType, chooseMechanism } from "./sasl.js";

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

describe("channel binding", () => {
  it("prefers -PLUS only when the channel can be bound", () => {
    const offered = ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "PLAIN"];
    expect(chooseMechanism(offered, true, true)).toBe("SCRAM-SHA-256-PLUS");
    expect(chooseMechanism(offered, true, false)).toBe("SCRAM-SHA-256");
  });
  it("follows XEP-0440 announcements, else the TLS version's default", () => {
    const features = (...types: string[]) =>
      xml(
        "features",
        {},
        xml(
          "sasl-channel-binding",
          { xmlns: "urn:xmpp:sasl-cb:0" },
          ...types.map((type) => xml("channel-binding", { type })),
        ),
      );
    expect(chooseBindingType(features("tls-server-end-point", "tls-exporter"), "TLSv1.3")).toBe(
      "tls-exporter",
    );
    expect(chooseBindingType(features("tls-server-end-point"), "TLSv1.3")).toBe(
      "tls-server-end-point",
    );
    expect(chooseBindingType(features("tls-unique"), "TLSv1.2")).toBe("tls-unique");
    expect(chooseBindingType(xml("features"), "TLSv1.3")).toBe("tls-exporter");
    expect(chooseBindingType(xml("features"), "TLSv1.2")).toBe("tls-unique");
  });
});
