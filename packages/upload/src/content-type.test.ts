import { describe, expect, it } from "vitest";
import { sniffContentType } from "./content-type.js";

const bytes = (...parts: (number[] | string)[]) =>
  Buffer.concat(
    parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))),
  );

describe("sniffContentType", () => {
  it.each([
    [bytes([0x89], "PNG\r\n\x1a\n", [0, 0, 0, 13]), "image/png", "png"],
    [bytes([0xff, 0xd8, 0xff, 0xe0], "JFIF"), "image/jpeg", "jpg"],
    [bytes("GIF89a", [1, 0]), "image/gif", "gif"],
    [bytes("GIF87a"), "image/gif", "gif"],
    [bytes("RIFF", [0, 0, 0, 0], "WEBPVP8 "), "image/webp", "webp"],
    [bytes("%PDF-1.7\n"), "application/pdf", "pdf"],
    [bytes([0, 0, 0, 0x20], "ftypisom"), "video/mp4", "mp4"],
    [bytes([0, 0, 0, 0x20], "ftypM4A "), "audio/mp4", "m4a"],
    [bytes([0, 0, 0, 0x18], "ftypheic"), "image/heic", "heic"],
    [bytes([0, 0, 0, 0x1c], "ftypavif"), "image/avif", "avif"],
    [bytes("OggS", [0, 2]), "audio/ogg", "ogg"],
    [bytes("ID3", [4, 0]), "audio/mpeg", "mp3"],
    [bytes([0xff, 0xfb, 0x90, 0x00]), "audio/mpeg", "mp3"],
    [bytes("PK", [3, 4], "rest"), "application/zip", "zip"],
    [Buffer.from("hello, world\nsecond line\t ünïcödé\n", "utf8"), "text/plain", "txt"],
    [bytes([0, 1, 2, 3, 250]), "application/octet-stream", "bin"],
    [Buffer.alloc(0), "application/octet-stream", "bin"],
  ])("%#: detects %s", (head, contentType, extension) => {
    expect(sniffContentType(head)).toEqual({ contentType, extension });
  });

  it("reports HTML as plain text, never as markup", () => {
    expect(sniffContentType(Buffer.from("<html><script>alert(1)</script>")).contentType).toBe(
      "text/plain",
    );
  });

  it("does not trust an extension or header: a PNG name with text bytes is text", () => {
    expect(sniffContentType(Buffer.from("not really a png")).extension).toBe("txt");
  });

  it("accepts a UTF-8 character cut at the end of the sample", () => {
    const text = Buffer.from("aé", "utf8");
    expect(sniffContentType(text.subarray(0, 2)).contentType).toBe("text/plain");
  });

  it("treats invalid UTF-8 as binary", () => {
    expect(sniffContentType(bytes("abc", [0xc3, 0x28], "def")).contentType).toBe(
      "application/octet-stream",
    );
  });
});
