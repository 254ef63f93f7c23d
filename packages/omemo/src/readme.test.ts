/**
 * Keeps the README's usage examples compiling: `readme*.example.ts` are
 * type-checked with the tests (`tsc -b`, never run: they write under /var/lib
 * and log in), and this test checks the README shows exactly that code.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

it.each(["readme-plugin.example.ts", "readme.example.ts", "readme-omemo2.example.ts"])(
  "the README shows the example that compiles (src/%s)",
  (file) => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const example = readFileSync(new URL(`./${file}`, import.meta.url), "utf8");
    expect(readme).toContain(`\`\`\`ts\n${example.trim()}\n\`\`\``);
  },
);
