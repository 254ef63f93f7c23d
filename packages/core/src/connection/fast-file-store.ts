/**
 * The default persistent FAST token store (XEP-0484): one JSON file written
 * atomically with mode 0600 (a token is as good as the password until it
 * expires). A missing file is no token; an unreadable or corrupt one is
 * reported and treated as no token, so the next login uses the password.
 */
import { readFile, unlink } from "node:fs/promises";
import { writeFileAtomic } from "../atomic-file.js";
import { ClawXmppError } from "../errors.js";
import { type FastToken, type FastTokenStore, isFastToken } from "./fast.js";

/** A {@link FastTokenStore} kept in the JSON file at `path`. */
export function fileTokenStore(path: string): FastTokenStore {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw new ClawXmppError("storage", `cannot read FAST token file ${path}`, { cause: error });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new ClawXmppError("storage", `FAST token file ${path} is not JSON`, { cause: error });
      }
      if (!isFastToken(parsed)) {
        throw new ClawXmppError("storage", `FAST token file ${path} holds no valid token`);
      }
      return parsed;
    },
    async save(token: FastToken) {
      await writeFileAtomic(path, `${JSON.stringify(token)}\n`);
    },
    async clear() {
      await unlink(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
      });
    },
  };
}
