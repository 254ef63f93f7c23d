/**
 * The hook for encrypted media (XEP-0454 OMEMO media sharing). An
 * `aesgcm://host/path#ivkey` URL is fetched as `https://host/path` with the
 * same checks as any download; the ciphertext, still bounded by
 * `maxDownloadBytes`, is handed to the hook with the original URL (whose
 * fragment holds IV and key) and the hook returns the plaintext.
 */

/** Plaintext returned by a {@link DecryptHook}. */
export type DecryptedData = ReadableStream<Uint8Array> | Uint8Array;

/**
 * Decrypts an `aesgcm://` download. `url` is the original `aesgcm://` URL;
 * `data` is the ciphertext (IV and key are in `url.hash`). Throw to refuse
 * (e.g. a failed authentication tag); the partial file is then deleted.
 */
export type DecryptHook = (
  url: URL,
  data: ReadableStream<Uint8Array>,
) => DecryptedData | Promise<DecryptedData>;

/** True for XEP-0454 URLs. */
export function isEncryptedUrl(url: URL): boolean {
  return url.protocol === "aesgcm:";
}

/** The https URL the ciphertext of an `aesgcm://` URL is fetched from (fragment dropped). */
export function ciphertextUrl(url: URL): URL {
  const https = new URL(`https://${url.host}${url.pathname}${url.search}`);
  return https;
}
