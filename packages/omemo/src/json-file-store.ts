/**
 * The default persistent {@link OmemoStore}: the whole state as one JSON
 * file, rewritten with core's `writeFileAtomic` (temporary file, fsync,
 * rename; mode 0600) after every change, so a crash or kill mid-write leaves
 * the old or the new file, never a torn one. Writes are coalesced: changes
 * made while a write runs go out together in the next one, and each change
 * resolves only once a write containing it is on disk.
 *
 * A file that exists but cannot be read as an OMEMO store is an error, never
 * silently replaced: replacing it would publish a new identity and break
 * every session the device had.
 */
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "@clawxmpp/core";
import { MemoryOmemoStore } from "./memory-store.js";
import { OmemoError } from "./omemo-error.js";
import { parseState, serializeState } from "./omemo-state.js";

/** Largest store file we read (sessions grow with skipped keys; B2). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** An OMEMO store persisted as one JSON file. */
export class JsonFileOmemoStore extends MemoryOmemoStore {
  readonly path: string;
  #writing: Promise<void> = Promise.resolve();
  #next: Promise<void> | undefined;

  private constructor(path: string) {
    super();
    this.path = path;
  }

  /** Opens the store at `path`; a missing file is an empty store (created on the first change). */
  static async open(path: string): Promise<JsonFileOmemoStore> {
    const store = new JsonFileOmemoStore(path);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return store;
      throw new OmemoError("store", `cannot read ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (text.length > MAX_FILE_BYTES) {
      throw new OmemoError("store", `${path} is larger than ${MAX_FILE_BYTES} bytes`);
    }
    store.state = parseState(text, path);
    return store;
  }

  /** Resolves once every change made so far is on disk. */
  flush(): Promise<void> {
    return this.#next ?? this.#writing;
  }

  protected override changed(): Promise<void> {
    // One write queued at most: later changes join it, since it serialises the state when it starts.
    this.#next ??= this.#writing
      .catch(() => {})
      .then(() => {
        this.#next = undefined;
        const write = writeFileAtomic(this.path, serializeState(this.state));
        this.#writing = write;
        return write;
      })
      .catch((error: unknown) => {
        throw new OmemoError("store", `cannot save ${this.path}: ${(error as Error).message}`, {
          cause: error,
        });
      });
    return this.#next;
  }
}
