/**
 * The conformance suite every plugin runs. It checks behaviour on a live
 * client, not just listener counts: the plugin is used, the client comes
 * online on the fake server, loses its connection and resumes it (XEP-0198),
 * loses it again and starts a new session, the plugin is stopped, and then
 * its IQ handlers, disco features, stage handlers, timers and client
 * listeners must all be gone (compared with a twin client that never had
 * the plugin) while the client still answers. A neighbour throwing from
 * `stop()` must not keep the plugin (or itself) from being cleaned up.
 */
import type { Plugin, PluginHandle } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { assertNoLeaks } from "./conformance-checks.js";
import {
  dropAndRecover,
  type PluginUse,
  pingAnswered,
  settle,
  startLifecycle,
  stopLifecycles,
  throwingPlugin,
} from "./conformance-lifecycle.js";

/** A plugin (with its options) the plugin under test requires, used on the client first. */
// biome-ignore lint/suspicious/noExplicitAny: any plugin may be a dependency
export type ConformanceDependency = readonly [Plugin<any, PluginHandle, any>, unknown];

/** Options of {@link testPluginConformance}. */
export interface ConformanceOptions<Options> {
  /** Plugin options to use. */
  options: Options;
  /** Plugins it requires, in the order to use them. @default [] */
  dependencies?: readonly ConformanceDependency[];
}

/** Registers vitest tests checking `plugin` against the contract. */
export function testPluginConformance<Options, Handle extends PluginHandle>(
  // biome-ignore lint/suspicious/noExplicitAny: any dependency map
  plugin: Plugin<Options, Handle, any>,
  config: ConformanceOptions<Options>,
): void {
  const name = plugin.pluginName;
  const deps: PluginUse[] = (config.dependencies ?? []).map(([dependency, options]) => ({
    plugin: dependency,
    options,
  }));
  const subject: PluginUse = { plugin, options: config.options };

  describe(`plugin conformance: ${name}`, () => {
    it("has a lower-case name", () => {
      expect(name).toMatch(/^[a-z][a-z0-9-]*$/u);
    });

    it("leaves nothing behind after going online, a resumption, a new session and stop()", async () => {
      const twin = await startLifecycle(deps);
      const used = await startLifecycle([...deps, subject]);
      try {
        for (const lifecycle of [twin, used]) await dropAndRecover(lifecycle);
        await pingAnswered(used, "before-stop");
        await used.handles.at(-1)?.stop();
        assertNoLeaks(await settle(twin), await settle(used), `"${name}" after stop()`);
        expect(used.client.status).toBe("online");
        await pingAnswered(used, "after-stop");
      } finally {
        await stopLifecycles(twin, used);
      }
    });

    // Only registered for plugins with dependencies (a skipped test would count as not passed).
    (deps.length > 0 ? it : () => {})(
      "is stopped and cleaned up when the plugins it requires are stopped",
      async () => {
        const twin = await startLifecycle([]);
        const used = await startLifecycle([...deps, subject]);
        try {
          await dropAndRecover(used);
          // Stopping a dependency stops its dependents first (core v2 contract).
          for (const handle of used.handles.slice(0, deps.length)) await handle.stop();
          assertNoLeaks(await settle(twin), await settle(used), `"${name}" after its dependencies`);
          await pingAnswered(used, "after-dependencies");
        } finally {
          await stopLifecycles(twin, used);
        }
      },
    );

    it("is cleaned up, with its neighbours, when a neighbour throws from stop()", async () => {
      const twin = await startLifecycle(deps);
      const used = await startLifecycle([
        { plugin: throwingPlugin("conformance-before"), options: {} },
        ...deps,
        subject,
        { plugin: throwingPlugin("conformance-after"), options: {} },
      ]);
      try {
        // The last neighbour directly, then the whole client (which stops in reverse use order).
        await Promise.resolve()
          .then(() => used.handles.at(-1)?.stop())
          .catch(() => {});
        await stopLifecycles(used, twin);
        assertNoLeaks(await settle(twin), await settle(used), `"${name}" next to failing stops`);
      } finally {
        await stopLifecycles(twin, used);
      }
    });

    it("can be stopped twice, and after the client", async () => {
      const used = await startLifecycle([...deps, subject]);
      const handle = used.handles.at(-1) as PluginHandle;
      await stopLifecycles(used);
      await handle.stop();
      await handle.stop();
    });

    it("can be used again on a new client after stopping", async () => {
      const first = await startLifecycle([...deps, subject]);
      await first.handles.at(-1)?.stop();
      const second = await startLifecycle([...deps, subject]);
      await pingAnswered(second, "second-client");
      await stopLifecycles(first, second);
    });
  });
}
