import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ciphertextUrl, type DecryptHook, isEncryptedUrl } from "./decrypt-hook.js";
import { decryptBody } from "./download.js";
import { saveStream } from "./save-file.js";
import { UploadError } from "./upload-error.js";

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  randomBytes(5000),
]);

/** XEP-0454 §3: AES-256-GCM, 12-byte IV then 32-byte key in the fragment, tag appended. */
function encrypt(plain: Buffer): { url: URL; ciphertext: Buffer } {
  const iv = randomBytes(12);
  const key = randomBytes(32);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  const fragment = Buffer.concat([iv, key]).toString("hex");
  return { url: new URL(`aesgcm://files.example/abc/photo.png#${fragment}`), ciphertext };
}

/** A decrypt hook as `@clawxmpp/omemo` would provide it. */
const hook: DecryptHook = async (url, data) => {
  const secret = Buffer.from(url.hash.slice(1), "hex");
  const chunks: Uint8Array[] = [];
  for await (const chunk of data as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  const all = Buffer.concat(chunks);
  const decipher = createDecipheriv("aes-256-gcm", secret.subarray(12), secret.subarray(0, 12));
  decipher.setAuthTag(all.subarray(all.length - 16));
  return Buffer.concat([decipher.update(all.subarray(0, all.length - 16)), decipher.final()]);
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "upload-aesgcm-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("XEP-0454 decrypt hook", () => {
  it("maps aesgcm:// to the https URL of the ciphertext, without the key", () => {
    const url = new URL(`aesgcm://files.example:8443/a/b.jpg?x=1#${"00".repeat(44)}`);
    expect(isEncryptedUrl(url)).toBe(true);
    expect(ciphertextUrl(url).href).toBe("https://files.example:8443/a/b.jpg?x=1");
    expect(isEncryptedUrl(new URL("https://files.example/"))).toBe(false);
  });

  it("passes the ciphertext to the hook and saves the plaintext", async () => {
    const { url, ciphertext } = encrypt(PNG);
    const plain = await decryptBody(Readable.from([ciphertext]), url, hook, PNG.length + 16);
    const saved = await saveStream(plain, dir, PNG.length, new AbortController().signal);
    expect(saved.type.contentType).toBe("image/png");
    expect((await readFile(saved.path)).equals(PNG)).toBe(true);
  });

  it("accepts a hook that returns a web stream", async () => {
    const { url, ciphertext } = encrypt(PNG);
    const streaming: DecryptHook = async (u, data) => {
      const bytes = (await hook(u, data)) as Uint8Array;
      return new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
      });
    };
    const plain = await decryptBody(Readable.from([ciphertext]), url, streaming, PNG.length + 16);
    const saved = await saveStream(plain, dir, PNG.length, new AbortController().signal);
    expect((await readFile(saved.path)).equals(PNG)).toBe(true);
  });

  it("fails when the authentication tag does not match", async () => {
    const { url, ciphertext } = encrypt(PNG);
    ciphertext[10] = (ciphertext[10] ?? 0) ^ 1;
    await expect(decryptBody(Readable.from([ciphertext]), url, hook, 10_000)).rejects.toThrow(
      /auth/iu,
    );
  });

  it("caps the ciphertext it hands to the hook", async () => {
    const { url, ciphertext } = encrypt(PNG);
    const error = await decryptBody(Readable.from([ciphertext]), url, hook, 100).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UploadError);
    expect((error as UploadError).reason).toBe("too-large");
    const before = await readdir(dir);
    expect(before.every((name) => !name.endsWith(".part"))).toBe(true);
  });
});
