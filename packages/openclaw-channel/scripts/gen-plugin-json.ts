/**
 * Writes `openclaw.plugin.json` and the `openclaw.channel.setup.fields` of
 * package.json from the zod schema and setup fields in `src/` (run with
 * `pnpm gen:plugin-json`; `src/plugin-manifest.test.ts` fails when the
 * committed files differ from what this script would write).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderPackageJson, renderPluginManifest } from "../dist/plugin-manifest.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const manifestPath = `${root}openclaw.plugin.json`;
const packagePath = `${root}package.json`;

writeFileSync(manifestPath, renderPluginManifest());
writeFileSync(packagePath, renderPackageJson(readFileSync(packagePath, "utf8")));
process.stdout.write(`wrote ${manifestPath} and the setup fields of ${packagePath}\n`);
