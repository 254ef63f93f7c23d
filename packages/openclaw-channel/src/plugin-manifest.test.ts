import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildPluginManifest, renderPackageJson, SETUP_FIELDS } from "./plugin-manifest.js";

const root = new URL("../", import.meta.url);
const read = (file: string) => JSON.parse(readFileSync(new URL(file, root), "utf8")) as unknown;

describe("committed plugin metadata", () => {
  it("openclaw.plugin.json matches the zod schema (run `pnpm gen:plugin-json` to update)", () => {
    expect(read("openclaw.plugin.json")).toEqual(buildPluginManifest());
  });

  it("package.json setup fields match SETUP_FIELDS (run `pnpm gen:plugin-json` to update)", () => {
    const pkg = read("package.json") as { openclaw: { channel: { setup: { fields: unknown } } } };
    expect(pkg.openclaw.channel.setup.fields).toEqual(SETUP_FIELDS);
  });

  it("package.json declares the entries, the channel and openclaw as an optional peer", () => {
    const pkg = read("package.json") as {
      files: string[];
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional: boolean }>;
      devDependencies: Record<string, string>;
      openclaw: {
        extensions: string[];
        runtimeExtensions: string[];
        setupEntry: string;
        runtimeSetupEntry: string;
        channel: { id: string };
      };
    };
    expect(pkg.openclaw.extensions).toEqual(["./src/index.ts"]);
    expect(pkg.openclaw.runtimeExtensions).toEqual(["./dist/index.js"]);
    expect(pkg.openclaw.setupEntry).toBe("./src/setup-entry.ts");
    expect(pkg.openclaw.runtimeSetupEntry).toBe("./dist/setup-entry.js");
    expect(pkg.openclaw.channel.id).toBe("xmpp");
    expect(pkg.peerDependenciesMeta.openclaw?.optional).toBe(true);
    expect(pkg.peerDependencies.openclaw).toMatch(/^>=2026\.9\./u);
    expect(pkg.devDependencies.openclaw).toBeUndefined();
    expect(pkg.files).toEqual(expect.arrayContaining(["dist", "openclaw.plugin.json"]));
  });

  it("every setup field key is the camelCased long flag and names a schema key", () => {
    const schema = (buildPluginManifest().channelConfigs as Record<string, { schema: object }>).xmpp
      ?.schema as { properties: Record<string, unknown> };
    for (const field of SETUP_FIELDS) {
      const flag = /^--([a-z-]+)/u.exec(field.cli.flags)?.[1] ?? "";
      expect(flag.replace(/-([a-z])/gu, (_, c: string) => c.toUpperCase())).toBe(field.key);
      expect(schema.properties[field.key], field.key).toBeDefined();
    }
  });

  it("renderPackageJson only replaces the setup fields", () => {
    const before = JSON.stringify({ name: "x", openclaw: { channel: { id: "xmpp", setup: {} } } });
    const after = JSON.parse(renderPackageJson(before)) as Record<string, unknown>;
    expect(after).toEqual({
      name: "x",
      openclaw: { channel: { id: "xmpp", setup: { fields: SETUP_FIELDS } } },
    });
  });
});
