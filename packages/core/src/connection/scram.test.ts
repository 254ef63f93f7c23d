import { describe, expect, it } from "vitest";
import { ScramSession } from "./scram.js";

// RFC 7677 §3 test vector (SCRAM-SHA-256, user "user", password "pencil").
describe("SCRAM", () => {
  it("reproduces the RFC 7677 SCRAM-SHA-256 exchange and verifies the server signature", async () => {
    const session = new ScramSession("sha256", "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
    expect(session.first()).toBe("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    const final = await session.final(
      "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    );
    expect(final).toBe(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    );
    expect(() => session.verify("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")).not.toThrow();
  });

  it("reproduces the RFC 5802 SCRAM-SHA-1 client proof", async () => {
    const session = new ScramSession("sha1", "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL");
    session.first();
    const final = await session.final(
      "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    );
    expect(final).toBe(
      "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    );
    expect(() => session.verify("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")).not.toThrow();
  });

  it("rejects a server nonce that does not extend ours and a bad server signature", async () => {
    const session = new ScramSession("sha1", "user", "pencil");
    session.first();
    await expect(session.final("r=someone-else,s=QSXCR+Q6sek8bf92,i=4096")).rejects.toMatchObject({
      condition: "server-nonce-mismatch",
    });
    const ok = new ScramSession("sha1", "user", "pencil");
    const nonce = ok.first().split("r=")[1];
    await ok.final(`r=${nonce}srv,s=QSXCR+Q6sek8bf92,i=4096`);
    expect(() => ok.verify("v=AAAA")).toThrow(/server-signature-mismatch|could not prove/u);
  });

  it("rejects absurd iteration counts", async () => {
    const session = new ScramSession("sha1", "user", "pencil");
    const nonce = session.first().split("r=")[1];
    await expect(session.final(`r=${nonce}x,s=QSXCR+Q6sek8bf92,i=10`)).rejects.toMatchObject({
      condition: "malformed-challenge",
    });
  });

  it("binds the proof to the TLS channel with -PLUS (gs2 header p=type and c= carries the data)", async () => {
    const data = Buffer.from("0123456789abcdef0123456789abcdef");
    const session = new ScramSession("sha256", "user", "pencil", "abc", {
      type: "tls-exporter",
      data,
    });
    expect(session.first()).toBe("p=tls-exporter,,n=user,r=abc");
    const final = await session.final("r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
    const c = /^c=([^,]+),/u.exec(final)?.[1] ?? "";
    expect(Buffer.from(c, "base64")).toEqual(
      Buffer.concat([Buffer.from("p=tls-exporter,,"), data]),
    );
  });
});
