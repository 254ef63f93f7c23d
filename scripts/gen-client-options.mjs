#!/usr/bin/env node
/**
 * Writes docs/client-options.md, the reference of every `createClient` option, from the zod schema
 * in packages/core/src/options.ts: each field's JSDoc is its description, its `@default` tag the
 * default, and the zod chain its type. Nested `z.object`s and schemas declared elsewhere in the file
 * or imported from a sibling file (`import { traceSchema } from "./trace.js"`) are followed, so a
 * new option documents itself. The file is parsed with TypeScript's parser, never executed.
 *
 *   node scripts/gen-client-options.mjs          # rewrite docs/client-options.md
 *   node scripts/gen-client-options.mjs --check  # exit 1 when the file is stale (CI)
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("..", import.meta.url));
const entry = join(root, "packages/core/src/options.ts");
const target = join(root, "docs/client-options.md");

/** Parsed source files by path, with their top-level declarations and relative imports. */
const files = new Map();

function load(path) {
  const cached = files.get(path);
  if (cached) return cached;
  const source = ts.createSourceFile(
    path,
    readFileSync(path, "utf8"),
    ts.ScriptTarget.Latest,
    true,
  );
  const declarations = new Map();
  const imports = new Map();
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations)
        if (ts.isIdentifier(d.name) && d.initializer)
          declarations.set(d.name.text, { node: d.initializer, doc: jsdoc(statement) });
    } else if (
      ts.isImportDeclaration(statement) &&
      ts.isStringLiteral(statement.moduleSpecifier) &&
      statement.moduleSpecifier.text.startsWith(".") &&
      statement.importClause?.namedBindings &&
      ts.isNamedImports(statement.importClause.namedBindings)
    ) {
      const file = resolve(dirname(path), statement.moduleSpecifier.text.replace(/\.js$/u, ".ts"));
      for (const el of statement.importClause.namedBindings.elements)
        imports.set(el.name.text, { file, name: (el.propertyName ?? el.name).text });
    }
  }
  const loaded = { path, source, declarations, imports };
  files.set(path, loaded);
  return loaded;
}

/** The JSDoc of a node: { text, tags: { default?: string } }. */
function jsdoc(node) {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const doc = docs.at(-1);
  if (!doc) return { text: "", tags: {} };
  const text = ts.getTextOfJSDocComment(doc.comment) ?? "";
  const tags = {};
  for (const tag of doc.tags ?? [])
    tags[tag.tagName.text] = (ts.getTextOfJSDocComment(tag.comment) ?? "")
      .replace(/\s*\n\s*/gu, " ")
      .trim();
  return { text: text.replace(/\s*\n\s*/gu, " ").trim(), tags };
}

/** Resolves an identifier to its declaration (same file or a relative import). */
function lookup(file, name) {
  const local = file.declarations.get(name);
  if (local) return { file, ...local };
  const imported = file.imports.get(name);
  if (imported && existsSync(imported.file)) {
    const other = load(imported.file);
    const decl = other.declarations.get(imported.name);
    if (decl) return { file: other, ...decl };
  }
  return undefined;
}

/** Walks a zod chain (`z.x(...).a().b()`), returning its calls from the innermost out. */
function chain(node) {
  const calls = [];
  let current = node;
  while (ts.isCallExpression(current)) {
    const callee = current.expression;
    if (ts.isPropertyAccessExpression(callee)) {
      calls.unshift({ name: callee.name.text, call: current, on: callee.expression });
      current = callee.expression;
    } else if (ts.isIdentifier(callee)) {
      calls.unshift({ name: callee.text, call: current, on: undefined, local: true });
      break;
    } else break;
  }
  return { base: current, calls };
}

/** Describes a schema expression: { type, optional, object?: [file, ObjectLiteral], defaultText? }. */
function describe(file, node) {
  if (ts.isIdentifier(node)) {
    const decl = lookup(file, node.text);
    if (decl) return describe(decl.file, decl.node);
    return { type: node.text, optional: false };
  }
  const { base, calls } = chain(node);
  let info = { type: "unknown", optional: false };
  if (ts.isIdentifier(base) && base.text !== "z" && calls[0]?.local !== true) {
    const decl = lookup(file, base.text);
    if (decl) info = describe(decl.file, decl.node);
  }
  for (const { name, call, local } of calls) {
    const [arg] = call.arguments;
    if (local) {
      // A local helper such as `ms(1000)`: its arrow function body is the schema.
      const decl = lookup(file, name);
      const fn = decl?.node;
      if (fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && !ts.isBlock(fn.body))
        info = describe(decl.file, fn.body);
      continue;
    }
    switch (name) {
      case "string":
      case "number":
      case "boolean":
        info = { ...info, type: name };
        break;
      case "int":
        info = { ...info, type: "integer" };
        break;
      case "enum":
        if (arg && ts.isArrayLiteralExpression(arg))
          info = { ...info, type: arg.elements.map((e) => e.getText()).join(" \\| ") };
        break;
      case "literal":
        info = { ...info, type: arg?.getText() ?? "literal" };
        break;
      case "array":
        info = { ...info, type: `${arg ? describe(file, arg).type : "unknown"}[]` };
        break;
      case "union":
        if (arg && ts.isArrayLiteralExpression(arg))
          info = {
            ...info,
            type: arg.elements.map((e) => describe(file, e).type).join(" \\| "),
          };
        break;
      case "custom":
        info = { ...info, type: call.typeArguments?.[0]?.getText() ?? "custom" };
        break;
      case "object":
        if (arg && ts.isObjectLiteralExpression(arg))
          info = { ...info, type: "object", object: [file, arg] };
        break;
      case "optional":
        info = { ...info, optional: true };
        break;
      case "default":
        // Only literals say something by themselves; anything else needs its @default tag.
        if (arg && /^(?:-?[\d_.]+|"[^"]*"|true|false)$/u.test(arg.getText()))
          info = { ...info, defaultText: arg.getText().replace(/_/gu, "") };
        break;
      default:
        break;
    }
  }
  return info;
}

/** Rows of the reference: one per field, nested objects flattened with dotted names. */
function rows(file, object, prefix) {
  const out = [];
  for (const prop of object.properties) {
    if (!ts.isPropertyAssignment(prop)) continue;
    const name = `${prefix}${prop.name.getText()}`;
    const doc = jsdoc(prop);
    const info = describe(file, prop.initializer);
    // A schema declared on its own carries its JSDoc there; the field's wins.
    let text = doc.text;
    if (!text && ts.isIdentifier(prop.initializer))
      text = lookup(file, prop.initializer.text)?.doc.text ?? "";
    const def = doc.tags.default ?? info.defaultText;
    if (!text) undocumented.push(name);
    if (info.object) {
      out.push({ name, type: "object", def: "", text, group: true });
      out.push(...rows(info.object[0], info.object[1], `${name}.`));
    } else {
      const required = !info.optional && def === undefined;
      out.push({ name, type: info.type, def: def ?? (required ? "required" : "—"), text });
    }
  }
  return out;
}

/** Fields without JSDoc (reported: every option field should have one). */
const undocumented = [];

/** A default that is a literal is shown as code; prose ("the JID's domain") as text. */
function formatDefault(def) {
  if (def === "required" || def === "—") return def;
  const literal = /^(?:-?[\d_.]+|"[^"]*"|true|false|\[\]|\{\})(?:\s|$)/u.exec(def);
  if (!literal) return cell(def);
  const rest = def.slice(literal[0].length).trim();
  return `\`${literal[0].trim()}\`${rest ? ` ${cell(rest)}` : ""}`;
}

function cell(s) {
  return s.replace(/\|/gu, "\\|");
}

function render() {
  const file = load(entry);
  const schema = lookup(file, "clientOptionsSchema");
  if (!schema) throw new Error(`no clientOptionsSchema in ${entry}`);
  const info = describe(schema.file, schema.node);
  if (!info.object) throw new Error("clientOptionsSchema is not a z.object(...)");
  const table = rows(info.object[0], info.object[1], "");
  const sources = [...files.keys()].map((p) => `\`${relative(root, p)}\``).join(", ");
  const lines = [
    "# `createClient` options",
    "",
    `<!-- Generated by scripts/gen-client-options.mjs from ${sources}; do not edit. CI fails when it is stale. -->`,
    "",
    "Every option of `createClient(options)` from `@clawxmpp/core`, with its type, default and",
    "meaning, taken from the zod schema that validates it (a bad value is a `ConfigError` naming the",
    "field). Nested objects are listed with dotted names: `tls.ca` is `{ tls: { ca } }`.",
    "",
    "| option | type | default | meaning |",
    "| --- | --- | --- | --- |",
    ...table.map((r) =>
      r.group
        ? `| **\`${r.name}\`** | object | | ${cell(r.text)} |`
        : `| \`${r.name}\` | \`${cell(r.type.replace(/ \\\| /gu, " | "))}\` | ${formatDefault(r.def)} | ${cell(r.text)} |`,
    ),
    "",
    "See also: [logging and XML traces](logging.md), [connecting and SRV](connecting.md),",
    "[troubleshooting](troubleshooting.md).",
    "",
  ];
  return lines.join("\n");
}

// Formatted the way `biome check` wants Markdown (aligned tables), so lint and --check agree.
const text = execFileSync(
  join(root, "node_modules/.bin/biome"),
  ["format", `--stdin-file-path=${relative(root, target)}`],
  { cwd: root, input: render(), encoding: "utf8" },
);
if (undocumented.length > 0)
  console.warn(`  warning: options without JSDoc: ${undocumented.join(", ")} (packages/core)`);
if (process.argv.includes("--check")) {
  const current = existsSync(target) ? readFileSync(target, "utf8") : "";
  if (current !== text) {
    console.error(
      `${relative(root, target)} is stale: run node scripts/gen-client-options.mjs and commit it`,
    );
    process.exitCode = 1;
  } else console.log(`  ${relative(root, target)} is current`);
} else {
  writeFileSync(target, text);
  console.log(`wrote ${relative(root, target)}`);
}
