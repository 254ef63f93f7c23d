/**
 * Local files for upload, read only from configured roots. The path is
 * resolved with realpath (so a symlink pointing outside a root is judged by
 * its target), then opened without following a final symlink and checked
 * with fstat on the open descriptor, so a file swapped after the check is
 * not read either.
 */
import { constants } from "node:fs";
import { type FileHandle, open, realpath } from "node:fs/promises";
import path from "node:path";
import { UploadError } from "./upload-error.js";

/** A local file opened for reading. */
export interface OpenedFile {
  handle: FileHandle;
  /** The resolved path (inside a root). */
  path: string;
  size: number;
}

/** True when `child` is `root` itself or below it (both already resolved). */
export function isInside(root: string, child: string): boolean {
  const relative = path.relative(root, child);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** Opens `file` for reading when it is a regular file inside one of `roots`; otherwise throws `outside-roots`. */
export async function openInRoots(file: string, roots: readonly string[]): Promise<OpenedFile> {
  const refuse = (why: string, cause?: unknown) =>
    new UploadError("outside-roots", `refusing to read ${JSON.stringify(file)}: ${why}`, { cause });
  if (roots.length === 0) throw refuse("no upload roots are configured");
  if (file.includes("\0")) throw refuse("the path contains NUL");
  let real: string;
  try {
    real = await realpath(path.resolve(file));
  } catch (error) {
    throw refuse("it does not exist or cannot be resolved", error);
  }
  const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => undefined)));
  if (!realRoots.some((root) => root !== undefined && isInside(root, real) && root !== real)) {
    throw refuse("it is outside every configured root");
  }
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO must not hang; it is refused below by fstat.
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    throw refuse("it cannot be opened", error);
  }
  const stat = await handle.stat().catch(async (error: unknown) => {
    await handle.close();
    throw refuse("it cannot be examined", error);
  });
  if (!stat.isFile()) {
    await handle.close();
    throw refuse("it is not a regular file");
  }
  return { handle, path: real, size: stat.size };
}
