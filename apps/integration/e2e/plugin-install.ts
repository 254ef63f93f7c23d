/**
 * The packed channel installed with `openclaw plugins install npm-pack:<tgz>`
 * once per tarball, not once per test file: `plugins install` loads the whole
 * CLI and runs a managed npm install (16–30 s on the 2-core machine, over
 * 100 s under load). The first file to ask installs into a template OpenClaw
 * state under the e2e cache, keyed by the tarball's SHA-256 and the toolchain
 * versions; every file then copies that installed state (the managed npm
 * project under `<state>/npm`, the state databases holding the installed
 * plugin index and its install records, and the config's `plugins` section)
 * into its own home, with the template's absolute paths rewritten to the
 * home's. The gateway then loads the plugin from the copy, exactly as it would
 * after its own install. Parallel files wait on a lock; a half-built template
 * (no completion marker) is rebuilt.
 */
import { createHash } from "node:crypto";
import {
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { createOpenclawHome, type OpenclawHome } from "./gateway.js";
import { type PackedPlugin, packChannelPlugin } from "./plugin-pack.js";
import { NODE_VERSION, OPENCLAW_VERSION, run, withLock } from "./toolchain.js";

/** Result of {@link installChannelPlugin}. */
export interface InstalledChannel {
  packed: PackedPlugin;
  /** The template's `plugins install` time (its output is in `installOutput`). */
  installMs: number;
  installOutput: string;
  /** True when this call found the template ready (no install ran). */
  reused: boolean;
  /** Milliseconds to copy the installed state into the home. */
  copyMs: number;
  /** The template's root directory (its state is `<templateDir>/state`). */
  templateDir: string;
}

/** What the completion marker holds. */
interface TemplateInfo {
  tarballSha256: string;
  installMs: number;
  installOutput: string;
  stateDir: string;
}

const MARKER = "template.json";
/** Templates not used for this long are removed when a new one is built. */
const STALE_MS = 3 * 24 * 3_600_000;

/**
 * Packs the channel into `packDir` and gives `home` the state of
 * `openclaw plugins install npm-pack:<tgz> --force --accept-capabilities`,
 * running that install only when no template exists for this tarball yet.
 */
export async function installChannelPlugin(
  home: OpenclawHome,
  packDir: string,
): Promise<InstalledChannel> {
  const packed = await packChannelPlugin(packDir);
  const sha = createHash("sha256").update(readFileSync(packed.tarball)).digest("hex");
  const root = join(home.toolchain.cacheDir, "channel-installs");
  const templateDir = join(
    root,
    `${sha.slice(0, 20)}-openclaw-${OPENCLAW_VERSION}-node-${NODE_VERSION}`,
  );
  mkdirSync(root, { recursive: true });
  let reused = true;
  const info = await withLock(`${templateDir}.lock`, async () => {
    const existing = readInfo(templateDir);
    if (existing !== undefined && existing.tarballSha256 === sha) return existing;
    reused = false;
    rmSync(templateDir, { recursive: true, force: true });
    const built = await buildTemplate(home, templateDir, packed.tarball, sha);
    pruneStale(root, templateDir);
    return built;
  });
  // Marks the template as in use (see pruneStale).
  const now = new Date();
  utimesSync(join(templateDir, MARKER), now, now);
  const started = Date.now();
  await copyInstalledState(home, info.stateDir);
  return {
    packed,
    installMs: info.installMs,
    installOutput: info.installOutput,
    reused,
    copyMs: Date.now() - started,
    templateDir,
  };
}

function readInfo(templateDir: string): TemplateInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(templateDir, MARKER), "utf8")) as TemplateInfo;
  } catch {
    return undefined;
  }
}

/** Installs the tarball into a fresh home at `templateDir` (the paths it records stay valid). */
async function buildTemplate(
  like: OpenclawHome,
  templateDir: string,
  tarball: string,
  sha: string,
): Promise<TemplateInfo> {
  const home = await createOpenclawHome({ toolchain: like.toolchain, dir: templateDir });
  // The tarball is copied in: the template must not depend on the caller's temporary directory.
  const ownTarball = join(templateDir, "channel.tgz");
  cpSync(tarball, ownTarball);
  const install = await home.cli(
    ["plugins", "install", `npm-pack:${ownTarball}`, "--force", "--accept-capabilities"],
    { timeoutMs: 300_000 },
  );
  const installOutput = install.stdout + install.stderr;
  if (install.code !== 0) {
    throw new Error(`openclaw plugins install failed (${install.code}):\n${installOutput}`);
  }
  const info: TemplateInfo = {
    tarballSha256: sha,
    installMs: install.ms,
    installOutput,
    stateDir: home.stateDir,
  };
  // Written last: a template without it is incomplete.
  writeFileSync(join(templateDir, MARKER), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

/** Removes other templates not used for {@link STALE_MS} (never one being built: it has no marker yet). */
function pruneStale(root: string, keep: string): void {
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    if (dir === keep || name.endsWith(".lock")) continue;
    try {
      if (Date.now() - statSync(join(dir, MARKER)).mtimeMs > STALE_MS) {
        rmSync(dir, { recursive: true, force: true });
      }
    } catch {
      // no marker: being built by another run, or already gone
    }
  }
}

/**
 * Exported for its unit test.
 *
 * Copies the template's state into `home.stateDir` (timestamps kept, symlinks as they are) and
 * rewrites the template's state path to the home's in the config and in the state databases.
 * The home's own config keys win over the template's, except `plugins`.
 */
export async function copyInstalledState(home: OpenclawHome, templateState: string): Promise<void> {
  const ownConfig = home.readConfig();
  for (const entry of readdirSync(templateState)) {
    // Logs and the config are the home's own; the config is merged below.
    if (entry === "logs" || entry === "openclaw.json") continue;
    cpSync(join(templateState, entry), join(home.stateDir, entry), {
      recursive: true,
      preserveTimestamps: true,
      verbatimSymlinks: true,
    });
  }
  const templateConfig = JSON.parse(
    readFileSync(join(templateState, "openclaw.json"), "utf8").replaceAll(
      templateState,
      home.stateDir,
    ),
  ) as Record<string, unknown>;
  home.writeConfig({ ...templateConfig, ...ownConfig, plugins: templateConfig.plugins });
  const databases = findFiles(home.stateDir, (name) => /\.sqlite$/u.test(name));
  if (databases.length === 0) return;
  const rewritten = await run(
    home.toolchain.node,
    ["--input-type=module", "--eval", REWRITE_SOURCE, templateState, home.stateDir, ...databases],
    { env: home.env, timeoutMs: 60_000 },
  );
  if (rewritten.code !== 0) {
    throw new Error(`rewriting the copied state failed:\n${rewritten.stdout}${rewritten.stderr}`);
  }
}

/** Files under `dir` whose name matches, outside `node_modules`. */
function findFiles(dir: string, match: (name: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== "node_modules") found.push(...findFiles(full, match));
    else if (entry.isFile() && match(entry.name)) found.push(full);
  }
  return found;
}

/**
 * Runs on Node 24 (`node:sqlite`): in every text column of every table of the given databases,
 * replaces the template's state path (argv[1]) with the home's (argv[2]).
 */
const REWRITE_SOURCE = `
import { DatabaseSync } from "node:sqlite";
const [from, to, ...files] = process.argv.slice(1);
for (const file of files) {
  const db = new DatabaseSync(file);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all();
  for (const { name } of tables) {
    const columns = db.prepare(\`PRAGMA table_info("\${name}")\`).all();
    for (const { name: column } of columns) {
      db.prepare(
        \`UPDATE "\${name}" SET "\${column}" = replace("\${column}", ?, ?) WHERE typeof("\${column}") = 'text' AND instr("\${column}", ?) > 0\`,
      ).run(from, to, from);
    }
  }
  db.close();
}
`;
