/**
 * Keeps the README's usage example compiling: `readme.example.ts` is
 * type-checked with the tests (`tsc -b`, never run: it writes under /var/lib),
 * and this test checks the README shows exactly that code.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

it("the README shows the example that compiles (src/readme.example.ts)", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const example = readFileSync(new URL("./readme.example.ts", import.meta.url), "utf8");
  expect(readme).toContain(`\`\`\`ts\n${example.trim()}\n\`\`\``);
});
