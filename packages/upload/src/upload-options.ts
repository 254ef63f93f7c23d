/**
 * Options of the `upload` plugin, validated once by zod. Secure by default:
 * no local file may be read until a root is configured, downloads refuse
 * private addresses and cross-host redirects, and plain-http slots are only
 * accepted for a loopback server when explicitly allowed (tests).
 */
import path from "node:path";
import { z } from "zod";
import type { DecryptHook } from "./decrypt-hook.js";
import type { Resolver } from "./resolve-target.js";

const ms = (def: number) => z.number().int().min(1).default(def);

/** Options of the `upload` plugin. */
export const uploadOptionsSchema = z
  .object({
    /**
     * Absolute directories local files may be uploaded from. A path outside
     * every root (after resolving symlinks) is refused.
     * @default [] (no local file may be read)
     */
    roots: z
      .array(z.string().refine((p) => path.isAbsolute(p), { message: "must be an absolute path" }))
      .default([]),
    /** Absolute directory downloads are saved in; created (mode 0700) when missing. Required for `download()`. */
    downloadDir: z
      .string()
      .refine((p) => path.isAbsolute(p), { message: "must be an absolute path" })
      .optional(),
    /** Largest download in bytes; a bigger body is aborted and its partial file deleted. @default 52428800 (50 MiB) */
    maxDownloadBytes: z
      .number()
      .int()
      .min(1)
      .default(50 * 1024 * 1024),
    /** Time allowed for a whole download (every redirect hop and the body), in ms. @default 60000 */
    downloadTimeout: ms(60_000),
    /** Time allowed for a whole HTTP upload (PUT), in ms. @default 300000 */
    uploadTimeout: ms(300_000),
    /** Timeout of the disco and slot IQ requests, in ms. @default 15000 */
    iqTimeout: ms(15_000),
    /**
     * Download from private, loopback, link-local, unique-local, CGNAT or
     * multicast addresses. Only for tests and closed networks: otherwise a
     * sender can make the bot probe its own network (SSRF).
     * @default false
     */
    allowPrivateAddresses: z.boolean().default(false),
    /** Follow a download redirect to another host. @default false */
    allowCrossHostRedirects: z.boolean().default(false),
    /** Redirects followed per download. @default 3 */
    maxRedirects: z.number().int().min(0).max(10).default(3),
    /**
     * Accept `http://` upload slot URLs when their host is loopback (127.0.0.0/8,
     * ::1, localhost); any other plain-http slot is always refused.
     * @default false
     */
    allowInsecureHttp: z.boolean().default(false),
    /**
     * Decrypts `aesgcm://` (XEP-0454) downloads; filled by `@clawxmpp/omemo`.
     * Without it such URLs fail with a clear error.
     */
    decrypt: z.custom<DecryptHook>((value) => typeof value === "function").optional(),
    /** Resolves download host names to all their addresses (tests, custom DNS). @default dns.lookup with all: true */
    resolver: z.custom<Resolver>((value) => typeof value === "function").optional(),
  })
  .strict();

/** What callers pass to the `upload` plugin. */
export type UploadOptionsInput = z.input<typeof uploadOptionsSchema>;
/** Options after defaults are applied. */
export type UploadOptions = z.output<typeof uploadOptionsSchema>;
