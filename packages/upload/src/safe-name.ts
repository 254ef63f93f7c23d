/**
 * File names. Downloads are saved under a generated name (random id plus an
 * extension from the detected type): nothing the sender chose — file name,
 * URL path, `../`, absolute paths, NUL, Windows device names — ever becomes
 * part of a path on disk. The sender's name is kept only as display text.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";

/** A fresh `<random hex>.<ext>` name; `extension` is sanitised again here. */
export function generatedFileName(extension: string): string {
  return `${randomBytes(12).toString("hex")}.${sanitiseExtension(extension) ?? "bin"}`;
}

/** A lower-case extension of 1–8 ASCII letters or digits, or `undefined`. */
export function sanitiseExtension(extension: string | undefined): string | undefined {
  const ext = extension?.replace(/^\./u, "").toLowerCase();
  return ext && /^[a-z0-9]{1,8}$/u.test(ext) ? ext : undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we strip
const UNSAFE = /[\u0000-\u001f\u007f-\u009f/\\:*?"<>|\u202a-\u202e\u2066-\u2069]/gu;

/**
 * A display name from an untrusted name or URL path segment: the last
 * segment, percent-decoded, control, separator and bidi-override characters
 * replaced, at most 120 characters, never `.`/`..`/empty. Never use it as a path.
 */
export function displayName(raw: string | undefined, fallback = "file"): string {
  let name = raw ?? "";
  try {
    name = decodeURIComponent(name);
  } catch {
    // Malformed escapes stay as typed.
  }
  name = name.split(/[/\\]/u).pop() ?? "";
  name = name.replace(UNSAFE, "_").trim().slice(0, 120);
  return name === "" || /^\.+$/u.test(name) ? fallback : name;
}

/** The last path segment of a URL, as a display name. */
export function nameFromUrl(url: URL): string {
  const segment = url.pathname.split("/").filter(Boolean).pop();
  return displayName(segment);
}

/** The extension of a display name, sanitised, or `undefined`. */
export function extensionOf(name: string): string | undefined {
  const ext = path.extname(name);
  return ext ? sanitiseExtension(ext) : undefined;
}
