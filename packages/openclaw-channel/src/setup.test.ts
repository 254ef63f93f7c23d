import { describe, expect, it } from "vitest";
import { SETUP_FIELDS } from "./plugin-manifest.js";
import { applySetupInput, parseSetupInput, xmppSetupContract } from "./setup.js";

describe("setup contract", () => {
  it("publishes the same fields as package.json", () => {
    expect(xmppSetupContract.kind).toBe("channel-owned");
    expect(xmppSetupContract.metadata.fields).toEqual(SETUP_FIELDS);
  });

  it("parses CLI strings: integers, comma lists, name", () => {
    expect(
      parseSetupInput({
        jid: "bot@example.org",
        port: "5223",
        groups: "a@conference.example.org, b@conference.example.org",
        name: "Bot",
        server: undefined,
      }),
    ).toEqual({
      ok: true,
      value: {
        jid: "bot@example.org",
        port: 5223,
        groups: ["a@conference.example.org", "b@conference.example.org"],
        name: "Bot",
      },
    });
  });

  it.each([
    [{ port: "-1" }, "port must be a non-negative integer."],
    [{ jid: 3 }, "jid must be a string."],
    [{ tls: "on" }, "Unsupported setup option: tls"],
    [[], "Channel setup input must be an object."],
  ])("rejects %j", (input, error) => {
    expect(parseSetupInput(input)).toEqual({ ok: false, error });
  });

  it("writes the default account at channel level, keeping other keys", () => {
    const cfg = { gateway: { port: 1 }, channels: { xmpp: { dmPolicy: "open" }, other: {} } };
    const next = xmppSetupContract.applyAccountConfig({
      cfg,
      accountId: "default",
      input: { jid: "bot@example.org", password: "pw", port: "5222" },
    });
    expect(next).toEqual({
      gateway: { port: 1 },
      channels: {
        other: {},
        xmpp: { dmPolicy: "open", jid: "bot@example.org", password: "pw", port: 5222 },
      },
    });
    expect(cfg.channels.xmpp).toEqual({ dmPolicy: "open" });
  });

  it("writes a named account under accounts.<id>", () => {
    const next = applySetupInput({}, "work", { jid: "work@example.org", password: "pw" });
    expect(next).toEqual({
      channels: { xmpp: { accounts: { work: { jid: "work@example.org", password: "pw" } } } },
    });
  });

  it("refuses values the channel schema rejects, naming the field", () => {
    expect(() => applySetupInput({}, "default", { jid: "not a jid" })).toThrow(
      /channels\.xmpp\.jid/u,
    );
    expect(() => applySetupInput({}, "default", { port: "70000" })).toThrow(
      /channels\.xmpp\.port/u,
    );
  });
});
