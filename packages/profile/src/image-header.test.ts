import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeImage, loadImage } from "./avatar-bytes.js";
import { readImageHeader } from "./image-header.js";
import { ProfileError } from "./profile-error.js";
import { jpeg, png } from "./test-images.fixture.js";

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProfileError) return error.reason;
    throw error;
  }
  return undefined;
}

describe("image headers", () => {
  it("reads PNG and JPEG sizes from content", () => {
    expect(readImageHeader(png(64, 48))).toEqual({ type: "image/png", width: 64, height: 48 });
    expect(readImageHeader(jpeg(300, 200))).toEqual({
      type: "image/jpeg",
      width: 300,
      height: 200,
    });
  });

  it("refuses other formats and broken headers", () => {
    const gif = new TextEncoder().encode("GIF89a\u0001\u0000\u0001\u0000");
    expect(reason(() => readImageHeader(gif))).toBe("unsupported-format");
    expect(reason(() => readImageHeader(new Uint8Array()))).toBe("unsupported-format");
    expect(reason(() => readImageHeader(png(10, 10).subarray(0, 20)))).toBe("bad-image");
    expect(reason(() => readImageHeader(png(0, 10)))).toBe("bad-image");
    expect(reason(() => readImageHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2])))).toBe(
      "bad-image",
    );
    // A segment length pointing past the end, and a zero length.
    expect(
      reason(() => readImageHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff]))),
    ).toBe("bad-image");
    expect(
      reason(() => readImageHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0]))),
    ).toBe("bad-image");
  });

  it("describes an image with its SHA-1 and refuses too many pixels", () => {
    const info = describeImage(png(32, 32), 64);
    expect(info).toMatchObject({ type: "image/png", width: 32, height: 32, bytes: 49 });
    expect(info.id).toMatch(/^[0-9a-f]{40}$/u);
    expect(reason(() => describeImage(png(5000, 10), 4096))).toBe("too-large");
  });
});

describe("loading avatars", () => {
  it("refuses oversized bytes and files, and reports unreadable files", async () => {
    await expect(loadImage(new Uint8Array(2000), 1000)).rejects.toMatchObject({
      reason: "too-large",
    });
    const dir = await mkdtemp(join(tmpdir(), "profile-test-"));
    try {
      const big = join(dir, "big.png");
      await writeFile(big, new Uint8Array(5000));
      await expect(loadImage(big, 1000)).rejects.toMatchObject({ reason: "too-large" });
      const small = join(dir, "small.png");
      await writeFile(small, png(8, 8));
      expect(describeImage(await loadImage(small, 1000), 64).width).toBe(8);
      await expect(loadImage(join(dir, "missing.png"), 1000)).rejects.toMatchObject({
        code: "io",
        reason: "io",
      });
      await expect(loadImage(dir, 1000)).rejects.toMatchObject({ reason: "io" });
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
