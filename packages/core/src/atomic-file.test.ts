import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "./atomic-file.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it("writes private files, replaces old content and leaves no temporary file", async () => {
    dir = await mkdtemp(join(tmpdir(), "clawxmpp-atomic-"));
    const path = join(dir, "nested", "state.json");
    await writeFileAtomic(path, "one");
    await writeFileAtomic(path, "two");
    expect(await readFile(path, "utf8")).toBe("two");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "nested"))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dir, "nested"))).toEqual(["state.json"]);
  });

  it("makes a previously world-readable file private", async () => {
    dir = await mkdtemp(join(tmpdir(), "clawxmpp-atomic-"));
    const path = join(dir, "state.json");
    await writeFile(path, "old", { mode: 0o644 });
    await writeFileAtomic(path, "new");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("reports a failure as a storage error naming the path, leaving the old file intact", async () => {
    dir = await mkdtemp(join(tmpdir(), "clawxmpp-atomic-"));
    const path = join(dir, "state.json");
    await writeFileAtomic(path, "keep");
    await expect(writeFileAtomic(join(path, "child"), "x")).rejects.toMatchObject({
      code: "storage",
    });
    expect(await readFile(path, "utf8")).toBe("keep");
  });
});
