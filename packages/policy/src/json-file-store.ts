import { mkdir, open, readFile, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "@clawxmpp/core";
import { emptyPairingState, pairingStateSchema } from "./pairing-state.js";
import type { PairingStore } from "./pairing-store.js";
import { PolicyError } from "./policy-error.js";

/** Options of {@link jsonFileStore}. */
export interface JsonFileStoreOptions {
  /** How long to wait for another process's lock, in ms. @default 5000 */
  lockTimeout?: number;
  /** A lock file older than this is considered left behind by a crash and removed, in ms. @default 30000 */
  staleLockAge?: number;
}

/**
 * A {@link PairingStore} backed by the JSON file at `path`, with a lock file
 * (`<path>.lock`, created exclusively) so the bot and the CLI never interleave
 * their read-modify-write cycles.
 */
export function jsonFileStore(path: string, options: JsonFileStoreOptions = {}): PairingStore {
  const lockPath = `${path}.lock`;
  const lockTimeout = options.lockTimeout ?? 5_000;
  const staleLockAge = options.staleLockAge ?? 30_000;
  return {
    async lock() {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const deadline = Date.now() + lockTimeout;
      for (;;) {
        try {
          const handle = await open(lockPath, "wx", 0o600);
          await handle.writeFile(`${process.pid}\n`).finally(() => handle.close());
          return () => unlink(lockPath).catch(() => {});
        } catch (error) {
          if (errorCode(error) !== "EEXIST") {
            throw new PolicyError(
              "storage",
              `cannot lock pairing store ${path}: ${(error as Error).message}`,
              {
                cause: error,
              },
            );
          }
        }
        const age = await stat(lockPath).then(
          (s) => Date.now() - s.mtimeMs,
          () => 0,
        );
        if (age > staleLockAge) {
          await unlink(lockPath).catch(() => {});
          continue;
        }
        if (Date.now() > deadline) {
          throw new PolicyError(
            "storage",
            `pairing store ${path} is locked by another process (${lockPath}); ` +
              "if no bot or pairing command is running, delete the lock file",
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async load() {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        if (errorCode(error) === "ENOENT") return emptyPairingState();
        throw new PolicyError(
          "storage",
          `cannot read pairing store ${path}: ${(error as Error).message}. Check that the file is readable by this user.`,
          { cause: error },
        );
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw corrupt(path, `not valid JSON (${(error as Error).message})`, error);
      }
      const parsed = pairingStateSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? issue.path.join(".") : "top level";
        throw corrupt(
          path,
          `unexpected content at ${where}: ${issue?.message ?? "invalid"}`,
          parsed.error,
        );
      }
      return parsed.data;
    },
    async save(state) {
      await writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`).catch((error: unknown) => {
        const cause = (error as { cause?: unknown }).cause ?? error;
        throw new PolicyError(
          "storage",
          `cannot write pairing store ${path}: ${(cause as Error).message}`,
          {
            cause,
          },
        );
      });
    },
  };
}

function corrupt(path: string, detail: string, cause: unknown): PolicyError {
  return new PolicyError(
    "storage",
    `pairing store ${path} is corrupt: ${detail}. Nobody was admitted and nothing was overwritten. ` +
      `Restore the file from a backup or fix it by hand; to start over with no approved JIDs, ` +
      `move it aside (mv "${path}" "${path}.broken") and restart.`,
    { cause },
  );
}

function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error
    ? String((error as { code: unknown }).code)
    : undefined;
}
