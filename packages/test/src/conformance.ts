/**
 * The conformance suite every plugin runs: it must register cleanly, leave
 * nothing behind on stop (listeners, IQ handlers, disco features), stop twice
 * without error, and not throw when the client stops first.
 */
import { type Client, createClient, type Plugin, type PluginHandle } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { fakeServer } from "./fake-transport.js";

/** A plugin (with its options) the plugin under test requires, used on the client first. */
// biome-ignore lint/suspicious/noExplicitAny: any plugin may be a dependency
export type ConformanceDependency = readonly [Plugin<any, PluginHandle, any>, unknown];

/** Options of {@link testPluginConformance}. */
export interface ConformanceOptions<Options> {
  /** Plugin options to use. */
  options: Options;
  /** Plugins it requires, in the order to use them. */
  dependencies?: readonly ConformanceDependency[];
}

function bareClient(): Client {
  const server = fakeServer();
  return createClient({
    jid: "bot@example.test",
    password: "x",
    transport: server.factory,
    keepalive: { interval: 0 },
  });
}

/** Registers vitest tests checking `plugin` against the contract. */
export function testPluginConformance<Options, Handle extends PluginHandle>(
  // biome-ignore lint/suspicious/noExplicitAny: any dependency map
  plugin: Plugin<Options, Handle, any>,
  config: ConformanceOptions<Options>,
): void {
  const newClient = (): Client => {
    const client = bareClient();
    for (const [dependency, options] of config.dependencies ?? []) client.use(dependency, options);
    return client;
  };
  describe(`plugin conformance: ${plugin.pluginName}`, () => {
    it("has a non-empty name", () => {
      expect(plugin.pluginName).toMatch(/^[a-z][a-z0-9-]*$/u);
    });

    it("removes every client listener it added when stopped", async () => {
      const client = newClient();
      const events = [
        "online",
        "offline",
        "message",
        "presence",
        "subscription",
        "bounce",
        "error",
        "status",
      ] as const;
      const before = events.map((event) =>
        (client as unknown as { listenerCount(e: string): number }).listenerCount(event),
      );
      const handle = client.use(plugin, config.options);
      await handle.stop();
      const after = events.map((event) =>
        (client as unknown as { listenerCount(e: string): number }).listenerCount(event),
      );
      expect(after).toEqual(before);
      await client.stop();
    });

    it("can be stopped twice, and after the client", async () => {
      const client = newClient();
      const handle = client.use(plugin, config.options);
      await client.stop();
      await handle.stop();
      await handle.stop();
    });

    it("can be used again on a new client after stopping", async () => {
      const first = newClient();
      await first.use(plugin, config.options).stop();
      const second = newClient();
      const handle = second.use(plugin, config.options);
      await handle.stop();
      await first.stop();
      await second.stop();
    });
  });
}
