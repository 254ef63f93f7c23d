import { describe, expect, it } from "vitest";
import { displayName, generatedFileName, nameFromUrl, sanitiseExtension } from "./safe-name.js";

describe("safe names", () => {
  it("generates random names with a clean extension", () => {
    const a = generatedFileName("png");
    const b = generatedFileName("png");
    expect(a).toMatch(/^[0-9a-f]{24}\.png$/u);
    expect(a).not.toBe(b);
    expect(generatedFileName("../../etc")).toMatch(/^[0-9a-f]{24}\.bin$/u);
    expect(generatedFileName("PHP")).toMatch(/\.php$/u);
  });

  it("sanitises extensions", () => {
    expect(sanitiseExtension(".JPG")).toBe("jpg");
    expect(sanitiseExtension("a/b")).toBeUndefined();
    expect(sanitiseExtension("toolongextension")).toBeUndefined();
    expect(sanitiseExtension("")).toBeUndefined();
    expect(sanitiseExtension(undefined)).toBeUndefined();
  });

  it.each([
    ["../../etc/passwd", "passwd"],
    ["..%2F..%2Fetc%2Fpasswd", "passwd"],
    ["..", "file"],
    ["...", "file"],
    ["", "file"],
    ["C:\\Windows\\evil.exe", "evil.exe"],
    ["a\u0000b\u202ec", "a_b_c"],
    ["%E0%A4%A", "%E0%A4%A"],
    ["très cool.jpg", "très cool.jpg"],
  ])("display name of %j is %j", (raw, expected) => {
    expect(displayName(raw)).toBe(expected);
  });

  it("caps display names at 120 characters", () => {
    expect(displayName("x".repeat(500))).toHaveLength(120);
  });

  it("takes the last URL segment, decoded and sanitised", () => {
    expect(nameFromUrl(new URL("https://h/slot/..%2F..%2Fsecret.txt"))).toBe("secret.txt");
    expect(nameFromUrl(new URL("https://h/"))).toBe("file");
  });
});
