/**
 * Collects the TypeScript code blocks (```ts / ```typescript) of the root README and of every
 * published package's README. Each block is checked as a module of its own; a block right after
 * `<!-- readme-check: continues -->` is appended to the previous block instead, so a README can
 * split one example across prose.
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

const FENCE = /^```(ts|typescript)\s*$/u;
const CONTINUES = "<!-- readme-check: continues -->";

/** @returns {Promise<Array<{ readme: string, path: string, line: number, file: string, code: string, imports: string[] }>>} */
export async function collectBlocks(root, workspace) {
  const readmes = [join(root, "README.md")];
  for (const { dir } of workspace.values()) {
    if (existsSync(join(dir, "README.md"))) readmes.push(join(dir, "README.md"));
  }
  // The guides in docs/ (not the design notes, which describe APIs still being built).
  for (const name of (await readdir(join(root, "docs"))).sort())
    if (name.endsWith(".md")) readmes.push(join(root, "docs", name));
  const blocks = [];
  for (const path of readmes) {
    const readme =
      path === join(root, "README.md")
        ? "root"
        : dirname(path) === join(root, "docs")
          ? `docs-${basename(path, ".md")}`
          : basename(dirname(path));
    const lines = (await readFile(path, "utf8")).split("\n");
    let previous;
    for (let i = 0; i < lines.length; i++) {
      if (!FENCE.test(lines[i] ?? "")) continue;
      const start = i;
      const body = [];
      for (i++; i < lines.length && !/^```\s*$/u.test(lines[i] ?? ""); i++) body.push(lines[i]);
      const continues =
        lines
          .slice(0, start)
          .reverse()
          .find((l) => l.trim() !== "")
          ?.trim() === CONTINUES;
      if (continues && previous) {
        previous.code += `\n${body.join("\n")}\n`;
        continue;
      }
      previous = {
        readme,
        path,
        line: start + 1,
        file: `${readme}-L${start + 1}.ts`,
        code: `${body.join("\n")}\n`,
        imports: [],
      };
      blocks.push(previous);
    }
  }
  for (const block of blocks) block.imports = importsOf(block.code);
  return blocks;
}

/** Package names a block imports (`@scope/name` or `name`, `node:` builtins kept as is). */
function importsOf(code) {
  const names = new Set();
  for (const m of code.matchAll(
    /^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"|\bimport\s*\(?\s*"([^"]+)"/gmu,
  )) {
    const spec = m[1] ?? m[2] ?? "";
    if (spec.startsWith(".")) continue;
    const parts = spec.split("/");
    names.add(spec.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? spec));
  }
  return [...names];
}
