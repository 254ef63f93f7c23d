import { describe, expect, it } from "vitest";
import { parseCliArgs } from "./cli-args.js";

const pw = () => "random";

describe("clawxmpp-prosody arguments", () => {
  it("defaults to alice, bob and bot with random passwords on localhost", () => {
    expect(parseCliArgs([], pw)).toEqual({
      help: false,
      json: false,
      domain: "localhost",
      accounts: { alice: "random", bob: "random", bot: "random" },
    });
  });

  it("takes given passwords (which may contain colons) and a domain", () => {
    const args = parseCliArgs(["--accounts", "me:a:b,you", "--domain", "test.lan", "--json"], pw);
    expect(args.accounts).toEqual({ me: "a:b", you: "random" });
    expect(args.domain).toBe("test.lan");
    expect(args.json).toBe(true);
  });

  it("names each mistake", () => {
    expect(() => parseCliArgs(["--domain"], pw)).toThrow("--domain needs a value");
    expect(() => parseCliArgs(["--port", "1"], pw)).toThrow('unknown argument "--port"');
    expect(() => parseCliArgs(["--accounts", "Bad User"], pw)).toThrow("not a user name");
    expect(() => parseCliArgs(["--accounts", ","], pw)).toThrow("no account");
    expect(() => parseCliArgs(["--domain", "a b"], pw)).toThrow("not a domain");
  });
});
