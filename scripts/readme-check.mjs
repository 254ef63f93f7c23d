#!/usr/bin/env node
/**
 * The README check, from the packed tarballs as a user would get them:
 *  1. every ```ts block of the root README and of each published package's README is collected;
 *  2. the packages those blocks import are packed (`pnpm pack`, so `workspace:` ranges are rewritten)
 *     and installed with npm into one scratch project outside the workspace, with typescript,
 *     @types/node and the few third-party packages the blocks import, at the workspace's versions;
 *  3. every block is type-checked there as its own module, with the repo's strict compiler options
 *     (tsconfig.base.json: `strict`, `exactOptionalPropertyTypes`, `noUncheckedIndexedAccess`…);
 *  4. the runnable examples (`scripts/readme-check/scenarios.mjs`) run against a real, throwaway
 *     Prosody, each driven by a scripted client.
 * Alongside (same CI step): docs/client-options.md must match the schema
 * (`scripts/gen-client-options.mjs --check`) and the TypeDoc API reference must build without a
 * warning (written into the scratch directory, never committed).
 * Nothing is cached across runs except npm's own registry cache: the tarballs and the scratch
 * project are made anew and removed at the end (`--keep` keeps them for debugging).
 * Needs the workspace built (`turbo run build`): packing uses `dist/`, and the scenarios use the
 * Prosody fixture of apps/integration.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { collectBlocks } from "./readme-check/blocks.mjs";
import { runScenarios } from "./readme-check/scenarios.mjs";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const keep = process.argv.includes("--keep");
const started = Date.now();
const step = (what) => console.log(`  [${((Date.now() - started) / 1000).toFixed(1)} s] ${what}`);

const workspace = await workspacePackages();
const blocks = await collectBlocks(root, workspace);
const scratch = await mkdtemp(join(tmpdir(), "clawxmpp-readme-check-"));
let failed = false;
try {
  // Docs checks run while the packages are packed and installed (mostly I/O).
  const docs = Promise.all([
    run(process.execPath, [join(root, "scripts/gen-client-options.mjs"), "--check"]),
    run(
      join(root, "node_modules/.bin/typedoc"),
      ["--logLevel", "Warn", "--out", join(scratch, "api")],
      {
        cwd: root,
        maxBuffer: 16 * 1024 * 1024,
      },
    ),
  ]).then(
    () =>
      step("docs/client-options.md is current; the TypeDoc API reference built without warnings"),
    (error) => {
      failed = true;
      console.error(`docs check failed:\n${error.stdout ?? ""}${error.stderr ?? error.message}`);
    },
  );
  // 2. pack what the blocks import (and their @clawxmpp dependencies), in parallel.
  const needed = closure(
    new Set(blocks.flatMap((b) => b.imports.filter((i) => workspace.has(i)))),
    workspace,
  );
  const tarballs = join(scratch, "tarballs");
  await mkdir(tarballs);
  // One recursive `pnpm pack` (a process per package costs ten times as long on 2 cores).
  await run(
    "pnpm",
    [
      "-r",
      ...[...needed].flatMap((name) => ["--filter", name]),
      "pack",
      "--pack-destination",
      tarballs,
      "--config.ignore-scripts=true",
    ],
    { cwd: root, maxBuffer: 16 * 1024 * 1024 },
  );
  const packed = await Promise.all(
    [...needed].map(async (name) => {
      const { manifest } = workspace.get(name);
      const file = join(
        tarballs,
        `${name.replace(/^@/u, "").replace("/", "-")}-${manifest.version}.tgz`,
      );
      await assertTarball(file, name);
      return [name, file];
    }),
  );
  step(`packed ${packed.map(([n]) => n).join(", ")}`);

  // The scratch project: only those tarballs, plus the tools and third-party imports.
  const rootManifest = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
  const versionOf = (dep) =>
    rootManifest.devDependencies?.[dep] ??
    [...workspace.values()]
      .map((w) => w.manifest.dependencies?.[dep] ?? w.manifest.devDependencies?.[dep])
      .find((v) => v !== undefined && !v.startsWith("workspace:"));
  const thirdParty = new Set(
    blocks.flatMap((b) => b.imports).filter((i) => !workspace.has(i) && !i.startsWith("node:")),
  );
  const dependencies = Object.fromEntries(packed.map(([n, f]) => [n, `file:${f}`]));
  for (const dep of [...thirdParty, "typescript", "@types/node"]) {
    const version = versionOf(dep);
    if (!version) throw new Error(`a README imports "${dep}", which no workspace package uses`);
    dependencies[dep] = version;
  }
  await writeFile(
    join(scratch, "package.json"),
    `${JSON.stringify({ name: "readme-check", private: true, type: "module", dependencies }, null, 2)}\n`,
  );
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd: scratch,
    maxBuffer: 16 * 1024 * 1024,
  });
  step(`npm installed ${Object.keys(dependencies).length} dependencies into ${scratch}`);
  await docs;

  // 3. type-check every block, each its own module, with the repo's strict options.
  const base = JSON.parse(await readFile(join(root, "tsconfig.base.json"), "utf8")).compilerOptions;
  for (const key of [
    "composite",
    "declaration",
    "declarationMap",
    "rootDir",
    "outDir",
    "tsBuildInfoFile",
    "customConditions",
  ])
    delete base[key];
  await writeFile(
    join(scratch, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        ...base,
        moduleDetection: "force",
        rootDir: "src",
        outDir: "dist",
        sourceMap: false,
      },
      include: ["src"],
    }),
  );
  await mkdir(join(scratch, "src"));
  for (const block of blocks) await writeFile(join(scratch, "src", block.file), block.code);
  const tsc = await run(join(scratch, "node_modules/.bin/tsc"), ["-p", "."], {
    cwd: scratch,
  }).catch((error) => error);
  if (tsc instanceof Error) {
    failed = true;
    console.error(explain(`${tsc.stdout ?? ""}${tsc.stderr ?? ""}`, blocks));
  }
  step(
    `type-checked ${blocks.length} blocks from ${new Set(blocks.map((b) => b.readme)).size} READMEs`,
  );

  // 4. run the examples against a real Prosody.
  const results = await runScenarios({ root, scratch, blocks, step });
  if (results.some((r) => !r.ok)) failed = true;
} finally {
  if (keep) console.log(`  kept ${scratch}`);
  else await rm(scratch, { recursive: true, force: true });
}
console.log(
  `README check ${failed ? "FAILED" : "passed"} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
process.exitCode = failed ? 1 : 0;

/** Published workspace packages: name → { dir, manifest }. */
async function workspacePackages() {
  const { stdout } = await run("pnpm", ["ls", "-r", "--depth", "-1", "--json"], { cwd: root });
  const map = new Map();
  for (const p of JSON.parse(stdout)) {
    if (p.private || !p.name) continue;
    const manifest = JSON.parse(await readFile(join(p.path, "package.json"), "utf8"));
    map.set(p.name, { dir: p.path, manifest });
  }
  return map;
}

/** The names plus every workspace package they depend on or take as a peer. */
function closure(names, workspace) {
  const out = new Set();
  const visit = (name) => {
    if (out.has(name) || !workspace.has(name)) return;
    out.add(name);
    const m = workspace.get(name).manifest;
    for (const dep of Object.keys({ ...m.dependencies, ...m.peerDependencies })) visit(dep);
  };
  for (const name of names) visit(name);
  return out;
}

/** A tarball must carry its licence and no build caches. */
async function assertTarball(file, name) {
  const { stdout } = await run("tar", ["-tzf", file]);
  const entries = stdout.split("\n");
  if (!entries.includes("package/LICENSE")) throw new Error(`${name}: the tarball has no LICENSE`);
  const caches = entries.filter((e) => /\.tsbuildinfo$|\/\.turbo\/|\.vitest-report/u.test(e));
  if (caches.length > 0) throw new Error(`${name}: the tarball ships build caches: ${caches}`);
}

/** Rewrites tsc's `src/<file>(line,col)` into `README.md:line` so the error points at the README. */
function explain(output, blocks) {
  const byFile = new Map(blocks.map((b) => [b.file, b]));
  return output.replace(/src\/([\w.-]+\.ts)\((\d+),(\d+)\)/gu, (match, file, line, col) => {
    const block = byFile.get(file);
    if (!block) return match;
    return `${relative(root, block.path)}:${block.line + Number(line)}:${col} (code block at line ${block.line})`;
  });
}
