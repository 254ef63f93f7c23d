import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isInside, openInRoots } from "./local-file.js";
import { UploadError } from "./upload-error.js";

let base: string;
let root: string;
let outside: string;

beforeAll(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), "upload-roots-")));
  root = path.join(base, "root");
  outside = path.join(base, "outside");
  await mkdir(path.join(root, "sub"), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(root, "sub", "ok.txt"), "inside");
  await writeFile(path.join(outside, "secret.txt"), "secret");
  await symlink(path.join(outside, "secret.txt"), path.join(root, "escape.txt"));
  await symlink(outside, path.join(root, "escape-dir"));
  await symlink(path.join(root, "sub", "ok.txt"), path.join(root, "inner-link.txt"));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function refused(file: string, roots = [root]): Promise<UploadError> {
  const error = await openInRoots(file, roots).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UploadError);
  expect((error as UploadError).reason).toBe("outside-roots");
  expect((error as UploadError).code).toBe("upload");
  return error as UploadError;
}

describe("openInRoots", () => {
  it("opens a regular file inside a root and reports its size", async () => {
    const file = await openInRoots(path.join(root, "sub", "ok.txt"), [root]);
    expect(file.size).toBe(6);
    await file.handle.close();
  });

  it("follows a symlink that stays inside the root", async () => {
    const file = await openInRoots(path.join(root, "inner-link.txt"), [root]);
    expect(file.path).toBe(path.join(root, "sub", "ok.txt"));
    await file.handle.close();
  });

  it("refuses a file outside every root", async () => {
    await refused(path.join(outside, "secret.txt"));
  });

  it("refuses ../ traversal out of the root", async () => {
    await refused(path.join(root, "..", "outside", "secret.txt"));
  });

  it("refuses a symlink escaping the root (file and directory)", async () => {
    await refused(path.join(root, "escape.txt"));
    await refused(path.join(root, "escape-dir", "secret.txt"));
  });

  it("refuses everything when no root is configured", async () => {
    const error = await refused(path.join(root, "sub", "ok.txt"), []);
    expect(error.message).toMatch(/no upload roots/u);
  });

  it("refuses a directory, the root itself, a missing file and NUL", async () => {
    await refused(path.join(root, "sub"));
    await refused(root);
    await refused(path.join(root, "missing.txt"));
    await refused(`${root}/sub/ok.txt\0.png`);
  });

  it("does not treat a sibling with the root as prefix as inside", () => {
    expect(isInside("/srv/root", "/srv/root-other/x")).toBe(false);
    expect(isInside("/srv/root", "/srv/root/x")).toBe(true);
  });
});
