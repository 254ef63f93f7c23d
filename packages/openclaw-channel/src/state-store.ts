import { chmod, mkdir, readFile, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { ClawXmppError, writeFileAtomic } from "@clawxmpp/core";
import { CHANNEL_ID } from "./plugin-manifest.js";

/** Largest state file accepted, in bytes. */
export const MAX_STATE_FILE_BYTES = 16 * 1024 * 1024;

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/u;

/** OpenClaw's state directory: `$OPENCLAW_STATE_DIR`, else `~/.openclaw`. */
export function resolveOpenclawStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.OPENCLAW_STATE_DIR?.trim();
  return configured ? configured : join(homedir(), ".openclaw");
}

/** JSON state files of one account. */
export interface StateStore {
  /** Directory holding this account's files. */
  readonly dir: string;
  /** The stored value, or `fallback` when the file does not exist. Throws `storage` if unreadable. */
  read<T>(name: string, fallback: T): Promise<T>;
  /** Replaces the value atomically (0600). Writes to one name are applied in call order. */
  write(name: string, value: unknown): Promise<void>;
  /** Deletes the file if present. */
  remove(name: string): Promise<void>;
}

/** Opens the state files of `accountId` under `stateDir`. Nothing is touched until used. */
export function createStateStore(options: { stateDir: string; accountId: string }): StateStore {
  checkName(options.accountId, "account id");
  const dir = join(options.stateDir, "plugins", CHANNEL_ID, options.accountId);
  const queues = new Map<string, Promise<void>>();
  const pathOf = (name: string) => join(dir, `${checkName(name, "state name")}.json`);

  return {
    dir,
    async read<T>(name: string, fallback: T): Promise<T> {
      const path = pathOf(name);
      await queues.get(name);
      let text: string;
      try {
        const buffer = await readFile(path);
        if (buffer.length > MAX_STATE_FILE_BYTES) {
          throw new ClawXmppError(
            "storage",
            `state file ${path} is larger than ${MAX_STATE_FILE_BYTES} bytes`,
          );
        }
        text = buffer.toString("utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return fallback;
        if (ClawXmppError.isInstance(error)) throw error;
        throw new ClawXmppError("storage", `cannot read state file ${path}`, { cause: error });
      }
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new ClawXmppError("storage", `state file ${path} is corrupted (not JSON)`, {
          cause: error,
        });
      }
    },
    write(name: string, value: unknown): Promise<void> {
      let path: string;
      let text: string;
      try {
        path = pathOf(name);
        text = `${JSON.stringify(value)}\n`;
      } catch (error) {
        return Promise.reject(error);
      }
      if (Buffer.byteLength(text) > MAX_STATE_FILE_BYTES) {
        return Promise.reject(
          new ClawXmppError(
            "storage",
            `state ${name} is larger than ${MAX_STATE_FILE_BYTES} bytes`,
          ),
        );
      }
      const previous = queues.get(name) ?? Promise.resolve();
      const next = previous.then(() => writeAtomically(dir, path, text));
      const settled = next.catch(() => {});
      queues.set(name, settled);
      void settled.then(() => {
        if (queues.get(name) === settled) queues.delete(name);
      });
      return next;
    },
    async remove(name: string): Promise<void> {
      const path = pathOf(name);
      await queues.get(name);
      await rm(path, { force: true });
    },
  };
}

async function writeAtomically(dir: string, path: string, text: string): Promise<void> {
  try {
    // The directory holds keys and cursors: private even if it existed before.
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    await writeFileAtomic(path, text);
  } catch (error) {
    if (ClawXmppError.isInstance(error)) throw error;
    throw new ClawXmppError("storage", `cannot write state file ${path}`, { cause: error });
  }
}

function checkName(name: string, what: string): string {
  if (!NAME.test(name)) {
    throw new ClawXmppError(
      "storage",
      `invalid ${what} ${JSON.stringify(name)}: use a-z, 0-9, _ and -`,
    );
  }
  return name;
}
