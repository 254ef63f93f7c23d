/**
 * Packs `@clawxmpp/openclaw-channel` the way it would be published, so the e2e
 * tests install it the way users do (`openclaw plugins install npm-pack:<tgz>`).
 *
 * A plain `npm pack` of the workspace package is not installable: its
 * `workspace:^` dependencies mean nothing to npm, and the `@clawxmpp/*` packages
 * are not on the registry. So the package is staged in a temporary directory
 * with its runtime dependencies copied into `node_modules` and declared as
 * `bundleDependencies` (as official OpenClaw plugins do), then packed; the
 * gateway's managed `npm install --omit=dev` then needs nothing from the network.
 * Only the dependencies that `dist/` really imports are bundled.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { run, withLock } from "./toolchain.js";

/** The workspace root. */
export const WORKSPACE_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The channel package directory. */
export const CHANNEL_PACKAGE_DIR = join(WORKSPACE_ROOT, "packages", "openclaw-channel");

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  bundleDependencies?: string[];
  scripts?: Record<string, string>;
  files?: string[];
  [key: string]: unknown;
}

/** Result of {@link packChannelPlugin}. */
export interface PackedPlugin {
  /** Absolute path of the `.tgz`. */
  tarball: string;
  /** Package names bundled into the tarball. */
  bundled: string[];
  ms: number;
}

/**
 * Builds the channel package (`tsc -b`) unless `build: false`, stages it and
 * runs `npm pack` into `outDir`.
 */
export async function packChannelPlugin(
  outDir: string,
  options: { build?: boolean } = {},
): Promise<PackedPlugin> {
  const started = Date.now();
  // Test files run in parallel workers; two `tsc -b` on one project would race.
  return withLock(join(tmpdir(), "clawxmpp-openclaw-channel-pack.lock"), () =>
    buildAndPack(outDir, options, started),
  );
}

async function buildAndPack(
  outDir: string,
  options: { build?: boolean },
  started: number,
): Promise<PackedPlugin> {
  if (options.build !== false) {
    const tsc = join(WORKSPACE_ROOT, "node_modules", ".bin", "tsc");
    const built = await run(tsc, ["-b", join(CHANNEL_PACKAGE_DIR, "tsconfig.build.json")], {
      cwd: WORKSPACE_ROOT,
      timeoutMs: 300_000,
    });
    if (built.code !== 0)
      throw new Error(`building the channel failed:\n${built.stdout}${built.stderr}`);
  }
  const stage = join(outDir, "stage");
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });

  const pkg = readJson(join(CHANNEL_PACKAGE_DIR, "package.json"));
  for (const file of ["dist", "openclaw.plugin.json", "README.md", "src"]) {
    const from = join(CHANNEL_PACKAGE_DIR, file);
    if (!existsSync(from)) continue;
    cpSync(from, join(stage, file), {
      recursive: true,
      filter: (path) => !path.endsWith(".tsbuildinfo") && !/\.test(-d)?\.ts$/u.test(path),
    });
  }

  // Runtime dependencies that dist/ imports, and theirs, copied flat.
  const imported = importedPackages(join(CHANNEL_PACKAGE_DIR, "dist"));
  const direct = Object.keys(pkg.dependencies ?? {}).filter((name) => imported.has(name));
  const copied = new Map<string, string>();
  for (const name of direct) copyDependency(name, CHANNEL_PACKAGE_DIR, stage, copied);

  const staged: PackageJson = { ...pkg };
  delete staged.devDependencies;
  delete staged.scripts;
  staged.dependencies = Object.fromEntries(
    direct.map((name) => [name, readJson(join(copied.get(name)!, "package.json")).version]),
  );
  staged.bundleDependencies = direct;
  writeFileSync(join(stage, "package.json"), `${JSON.stringify(staged, null, 2)}\n`);

  const packed = await run("npm", ["pack", "--json", "--pack-destination", outDir], {
    cwd: stage,
    timeoutMs: 120_000,
  });
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const [info] = JSON.parse(packed.stdout) as [{ filename: string }];
  return {
    tarball: join(outDir, info.filename),
    bundled: [...copied.keys()].sort(),
    ms: Date.now() - started,
  };
}

/**
 * Builds the workspace package `name` and copies it (its `dist`, with real
 * versions) and its dependencies into `<dir>/node_modules`, the way a user adds
 * an optional peer such as `@clawxmpp/omemo` to an installed plugin. Its peers
 * are not copied: they resolve to the plugin's own bundled copies. Returns the
 * names copied.
 */
export async function addWorkspacePackage(dir: string, name: string): Promise<string[]> {
  const source = resolvePackageDir(name, CHANNEL_PACKAGE_DIR);
  const tsc = join(WORKSPACE_ROOT, "node_modules", ".bin", "tsc");
  const built = await run(tsc, ["-b", join(source, "tsconfig.build.json")], {
    cwd: WORKSPACE_ROOT,
    timeoutMs: 300_000,
  });
  if (built.code !== 0) throw new Error(`building ${name} failed:\n${built.stdout}${built.stderr}`);
  const copied = new Map<string, string>();
  copyDependency(name, CHANNEL_PACKAGE_DIR, dir, copied);
  return [...copied.keys()].sort();
}

/** Bare package names imported by the `.js` files under `dir`. */
export function importedPackages(dir: string): Set<string> {
  const names = new Set<string>();
  const visit = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith(".js")) {
        const text = readFileSync(full, "utf8");
        for (const match of text.matchAll(
          /(?:from\s*|import\s*\(\s*|import\s+)["']([^"'./][^"']*)["']/gu,
        )) {
          const spec = match[1]!;
          if (spec.startsWith("node:")) continue;
          const parts = spec.split("/");
          names.add(spec.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!);
        }
      }
    }
  };
  visit(dir);
  return names;
}

/** Copies `name` (resolved from `fromDir`) and its dependencies into `<stage>/node_modules`. */
function copyDependency(
  name: string,
  fromDir: string,
  stage: string,
  copied: Map<string, string>,
): void {
  if (copied.has(name)) return;
  const source = resolvePackageDir(name, fromDir);
  copied.set(name, source);
  const target = join(stage, "node_modules", name);
  mkdirSync(dirname(target), { recursive: true });
  const pkg = readJson(join(source, "package.json"));
  const isWorkspace = !relative(WORKSPACE_ROOT, source).startsWith("node_modules");
  if (isWorkspace) {
    // A workspace package: only what it would publish, with real versions.
    mkdirSync(target, { recursive: true });
    for (const file of ["dist", "README.md", "LICENSE"]) {
      if (existsSync(join(source, file))) {
        cpSync(join(source, file), join(target, file), {
          recursive: true,
          filter: (path) => !path.endsWith(".tsbuildinfo"),
        });
      }
    }
    const published: PackageJson = { ...pkg };
    delete published.devDependencies;
    delete published.scripts;
    published.dependencies = Object.fromEntries(
      Object.keys(pkg.dependencies ?? {}).map((dep) => [
        dep,
        readJson(join(resolvePackageDir(dep, source), "package.json")).version,
      ]),
    );
    writeFileSync(join(target, "package.json"), `${JSON.stringify(published, null, 2)}\n`);
  } else {
    cpSync(source, target, {
      recursive: true,
      dereference: true,
      filter: (path) => !path.slice(source.length).includes("/node_modules"),
    });
  }
  for (const dep of Object.keys(pkg.dependencies ?? {})) copyDependency(dep, source, stage, copied);
}

/** Node-style lookup of `<dir>/node_modules/<name>` walking up from `fromDir`; real path. */
function resolvePackageDir(name: string, fromDir: string): string {
  let dir = realpathSync(fromDir);
  for (;;) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot resolve ${name} from ${fromDir}`);
    dir = parent;
  }
}

function readJson(path: string): PackageJson {
  return JSON.parse(readFileSync(path, "utf8")) as PackageJson;
}
