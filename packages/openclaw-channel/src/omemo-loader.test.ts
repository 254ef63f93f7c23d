import { readdirSync, readFileSync } from "node:fs";
import { ConfigError } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { loadOmemo, OMEMO_PACKAGE } from "./omemo-loader.js";

/** The error Node's ESM loader throws for a package that is not installed. */
function notInstalled(specifier: string): Error {
  return Object.assign(
    new Error(`Cannot find package '${specifier}' imported from /app/dist/omemo-loader.js`),
    { code: "ERR_MODULE_NOT_FOUND" },
  );
}

async function failure(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe("loadOmemo", () => {
  it("loads the real @clawxmpp/omemo and finds its plugin", async () => {
    const module = await loadOmemo();
    expect(module.omemo.pluginName).toBe("omemo");
  });

  it("tells the user to install the package when it is missing", async () => {
    const error = await failure(loadOmemo((specifier) => Promise.reject(notInstalled(specifier))));
    expect(error.message).toContain(`npm install ${OMEMO_PACKAGE}`);
    expect(error.message).toContain("GPL-3.0-only");
    expect(error.message).toContain("omemo.enabled");
    expect(error.terminal).toBe(true);
    expect(error.issues).toEqual([
      { field: "channels.xmpp.omemo.enabled", message: `${OMEMO_PACKAGE} is not installed` },
    ]);
  });

  it("names the cause when the package is there but one of its own imports is missing", async () => {
    const error = await failure(
      loadOmemo(() =>
        Promise.reject(notInstalled("@privacyresearch/libsignal-protocol-typescript")),
      ),
    );
    expect(error.message).toContain("could not be loaded");
    expect(error.message).toContain("@privacyresearch/libsignal-protocol-typescript");
    expect(error.message).not.toContain("npm install");
  });

  it("refuses a module without the omemo plugin (an incompatible version)", async () => {
    const error = await failure(loadOmemo(async () => ({ somethingElse: true })));
    expect(error.message).toContain("has no omemo plugin");
  });
});

describe("the licence boundary (the channel is MIT, @clawxmpp/omemo GPL-3.0-only)", () => {
  const root = new URL("../", import.meta.url);
  const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as {
    license: string;
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
    peerDependenciesMeta: Record<string, { optional?: boolean }>;
  };

  it("declares @clawxmpp/omemo as an optional peer with a range npm understands, never a dependency", () => {
    expect(pkg.license).toBe("MIT");
    expect(pkg.dependencies[OMEMO_PACKAGE]).toBeUndefined();
    expect(pkg.peerDependenciesMeta[OMEMO_PACKAGE]?.optional).toBe(true);
    // A packed tarball keeps peer ranges as written: `workspace:` would break `npm install`.
    expect(pkg.peerDependencies[OMEMO_PACKAGE]).toMatch(/^[0-9^~<>=.x |-]+$/u);
  });

  it("no source file imports @clawxmpp/omemo statically (types included)", () => {
    const dir = new URL("src/", root);
    const offenders = readdirSync(dir)
      .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
      .filter((name) =>
        /(?:from|import)\s*\(?\s*["']@clawxmpp\/omemo["']/u.test(
          readFileSync(new URL(name, dir), "utf8"),
        ),
      );
    expect(offenders).toEqual([]);
  });
});
