import { describe, expect, it } from "vitest";
import { HELP, logLevel, parseDemoArgs } from "./demo-args.js";

describe("demo arguments", () => {
  it("takes --port, --password and --help", () => {
    expect(parseDemoArgs(["--port", "5222", "--password", "s3cret"])).toEqual({
      help: false,
      port: 5222,
      password: "s3cret",
    });
    expect(parseDemoArgs(["-h"]).help).toBe(true);
  });

  it("names each mistake", () => {
    expect(() => parseDemoArgs(["--port", "0"])).toThrow('--port: not a TCP port "0"');
    expect(() => parseDemoArgs(["--port", "http"])).toThrow("not a TCP port");
    expect(() => parseDemoArgs(["--password"])).toThrow("--password needs a value");
    expect(() => parseDemoArgs(["--verbose"])).toThrow('unknown argument "--verbose"');
  });

  it("checks LOG_LEVEL", () => {
    expect(logLevel(undefined)).toBe("info");
    expect(logLevel("debug")).toBe("debug");
    expect(() => logLevel("loud")).toThrow("LOG_LEVEL must be");
  });

  it("documents every variable the demo reads", () => {
    for (const name of [
      "XMPP_JID",
      "XMPP_PASSWORD",
      "XMPP_SERVER",
      "XMPP_PORT",
      "XMPP_CA",
      "XMPP_OWNERS",
      "XMPP_NICKNAME",
      "PAIRING_STORE",
      "DOWNLOAD_DIR",
      "LOG_LEVEL",
      "CLAWXMPP_XML_TRACE",
    ])
      expect(HELP).toContain(name);
  });
});
