import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ScramSession } from "./scram.js";
import { ssdpString, verifySsdp } from "./ssdp.js";

const OFFER = {
  mechanisms: ["SCRAM-SHA-256-PLUS", "PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256"],
  channelBindings: ["tls-server-end-point", "tls-exporter"],
};
const b64hash = (hash: string, text: string) =>
  createHash(hash).update(text, "utf8").digest("base64");

describe("XEP-0474 hash", () => {
  it("sorts mechanisms and binding types, joined by RS and separated by US", () => {
    expect(ssdpString(OFFER)).toBe(
      "PLAIN\u001eSCRAM-SHA-1\u001eSCRAM-SHA-256\u001eSCRAM-SHA-256-PLUS\u001ftls-exporter\u001etls-server-end-point",
    );
    // Without the XEP-0440 feature there is no binding part at all.
    expect(ssdpString({ mechanisms: ["SCRAM-SHA-1", "PLAIN"] })).toBe("PLAIN\u001eSCRAM-SHA-1");
  });

  it("accepts the server's hash of what we saw and tolerates its absence", () => {
    expect(verifySsdp(b64hash("sha256", ssdpString(OFFER)), "sha256", OFFER)).toBe("verified");
    expect(verifySsdp(undefined, "sha256", OFFER)).toBe("absent");
  });

  it("refuses an offer stripped of -PLUS or of a binding type (terminal, own condition)", () => {
    const serverHash = b64hash("sha256", ssdpString(OFFER));
    const stripped = { ...OFFER, mechanisms: OFFER.mechanisms.filter((m) => !m.endsWith("-PLUS")) };
    expect(() => verifySsdp(serverHash, "sha256", stripped)).toThrow(
      expect.objectContaining({ condition: "downgrade-detected", terminal: true }),
    );
    const noExporter = { ...OFFER, channelBindings: ["tls-server-end-point"] };
    expect(() => verifySsdp(serverHash, "sha256", noExporter)).toThrow(/downgrade-detected/u);
    // Garbage in the attribute is a mismatch too, not a crash.
    expect(() => verifySsdp("!!not base64!!", "sha256", OFFER)).toThrow(/downgrade-detected/u);
  });

  it("SCRAM checks the hash before sending its proof", async () => {
    const tampered = { ...OFFER, mechanisms: ["PLAIN", "SCRAM-SHA-256"] };
    const scram = new ScramSession("sha256", "user", "pencil", "abc", undefined, tampered);
    scram.first();
    const h = b64hash("sha256", ssdpString(OFFER));
    await expect(scram.final(`r=abcdef,s=QSXCR+Q6sek8bf92,i=4096,h=${h}`)).rejects.toMatchObject({
      condition: "downgrade-detected",
    });
    const honest = new ScramSession("sha256", "user", "pencil", "abc", undefined, OFFER);
    honest.first();
    await honest.final(`r=abcdef,s=QSXCR+Q6sek8bf92,i=4096,h=${h}`);
    expect(honest.ssdp).toBe("verified");
  });
});
