/**
 * Encrypted media (XEP-0454 "OMEMO Media sharing" §3): the file is encrypted
 * with AES-256-GCM under a fresh key and IV, the ciphertext (with its 16-byte
 * tag appended) is uploaded as any file, and the link is shared as
 * `aesgcm://host/path#<iv hex><key hex>`, inside an end-to-end encrypted
 * message. An end-to-end encryption plugin registers a cipher at run time
 * with `upload.useCipher(…)` and removes it with the disposer it gets back.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { OutgoingMessage } from "@clawxmpp/core";
import type { DecryptedData, DecryptHook } from "./decrypt-hook.js";
import { UploadError } from "./upload-error.js";

/** What an encrypting cipher returns for one file. */
export interface EncryptedMedia {
  /** The bytes to upload. */
  data: Uint8Array;
  /** The URL fragment that lets the recipient decrypt (without `#`). */
  fragment: string;
  /** The scheme of the shared link. @default "aesgcm" */
  scheme?: string;
}

/** A run-time cipher for media: encryption before upload, decryption after download. */
export interface MediaCipher {
  /** Encrypts a whole file. */
  encrypt?(plaintext: Uint8Array): EncryptedMedia | Promise<EncryptedMedia>;
  /** Decrypts a download of an `aesgcm://` link. */
  decrypt?: DecryptHook;
  /**
   * Marks a message that shares a file this cipher encrypted (the link and its caption) so the
   * end-to-end plugin that registered the cipher encrypts it too: the link's fragment is the
   * file's key, and a caption sent in clear would leak what the file is about.
   */
  protect?(message: OutgoingMessage): OutgoingMessage;
}

const TAG = 16;

/** XEP-0454 AES-256-GCM with a 12-byte IV (what current clients send), 16-byte IVs accepted. */
export function aesgcmCipher(): Required<Pick<MediaCipher, "encrypt" | "decrypt">> {
  return {
    encrypt(plaintext) {
      const iv = randomBytes(12);
      const key = randomBytes(32);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const data = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      return { data, fragment: iv.toString("hex") + key.toString("hex"), scheme: "aesgcm" };
    },
    async decrypt(url, data) {
      const { iv, key } = parseFragment(url.hash.replace(/^#/u, ""));
      const chunks: Uint8Array[] = [];
      const reader = data.getReader();
      for (;;) {
        const next = await reader.read();
        if (next.done) break;
        chunks.push(next.value);
      }
      const all = Buffer.concat(chunks);
      if (all.length < TAG)
        throw new UploadError("encrypted", "encrypted file shorter than its tag");
      const decipher = createDecipheriv("aes-256-gcm", key, iv);
      decipher.setAuthTag(all.subarray(all.length - TAG));
      try {
        const plain = Buffer.concat([
          decipher.update(all.subarray(0, all.length - TAG)),
          decipher.final(),
        ]);
        return new Uint8Array(plain) satisfies DecryptedData;
      } catch (error) {
        throw new UploadError(
          "encrypted",
          "the file failed authentication (wrong key or tampered)",
          {
            cause: error,
          },
        );
      }
    },
  };
}

/** IV and key from an XEP-0454 fragment: 24 or 32 hex digits of IV, then 64 of key. */
function parseFragment(fragment: string): { iv: Buffer; key: Buffer } {
  if (!/^[0-9a-f]+$/iu.test(fragment) || (fragment.length !== 88 && fragment.length !== 96)) {
    throw new UploadError("encrypted", "the aesgcm:// link carries no valid IV and key");
  }
  const ivLength = fragment.length - 64;
  return {
    iv: Buffer.from(fragment.slice(0, ivLength), "hex"),
    key: Buffer.from(fragment.slice(ivLength), "hex"),
  };
}
