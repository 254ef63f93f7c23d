/**
 * Private, atomic file writes for state that must survive restarts (pairing
 * approvals, archive cursors, keys): the data goes to a temporary file in the
 * same directory with mode 0600, is flushed, then renamed over the target, so
 * a reader sees the old or the new content and never a torn write.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ClawXmppError } from "./errors.js";

/** Writes `data` to `path` atomically with mode 0600, creating the directory (0700) if needed. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(data);
      // The umask cannot widen it, but an existing mode could have been set elsewhere: be explicit.
      await handle.chmod(0o600);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw new ClawXmppError("storage", `cannot write ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  await syncDirectory(dir);
}

// The rename is durable only once the directory entry is flushed; not every platform allows it.
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => {});
  await handle.close().catch(() => {});
}
