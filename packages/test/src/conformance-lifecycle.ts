/**
 * Drives a client through a session's life on the fake server, with fake
 * time: online, connection lost and resumed (XEP-0198 §5), lost again and
 * replaced by a new session (no resumption), then the plugin stopped and
 * every transient timer run out. The same script runs on a twin client
 * without the plugin, so the footprints can be compared.
 */
import {
  type AnyPlugin,
  type Client,
  createClient,
  definePlugin,
  type PluginHandle,
  xml,
} from "@clawxmpp/core";
import { footprint, type PluginFootprint } from "./conformance-checks.js";
import { type FakeClock, fakeClock } from "./fake-clock.js";
import { type FakeServer, fakeServer } from "./fake-transport.js";
import { until } from "./until.js";

/** A plugin (with options) put on the client. */
export interface PluginUse {
  plugin: AnyPlugin;
  options: unknown;
}

/** A running twin: client, server, clock and the handles of the plugins used. */
export interface Lifecycle {
  client: Client;
  server: FakeServer;
  clock: FakeClock;
  handles: PluginHandle[];
}

const ACCOUNT = "conformance@example.test";

/** Creates a client on a fake server with SM and a fake clock, uses `plugins` and brings it online. */
export async function startLifecycle(plugins: readonly PluginUse[]): Promise<Lifecycle> {
  const server = fakeServer({
    jid: `${ACCOUNT}/conformance`,
    streamManagement: true,
    autoAck: true,
  });
  const clock = fakeClock(Date.UTC(2026, 0, 1));
  const client = createClient({
    jid: ACCOUNT,
    password: "x",
    resource: "conformance",
    transport: server.factory,
    clock,
    keepalive: { interval: 0 },
    reconnect: { initialDelay: 10, maxDelay: 50, jitter: 0 },
  });
  const handles = plugins.map(({ plugin, options }) => client.use(plugin, options));
  const started = client.start();
  await until(() => client.status === "online", { clock, message: "first session online" });
  await started;
  return { client, server, clock, handles };
}

/** Loses the connection twice: resumed the first time, a new session the second. */
export async function dropAndRecover({ client, server, clock }: Lifecycle): Promise<void> {
  const { resumes, connects } = client.stats;
  server.acceptResume();
  server.drop();
  await until(() => client.status === "online" && client.stats.resumes === resumes + 1, {
    clock,
    message: "the session resumed (XEP-0198)",
  });
  server.drop();
  await until(() => client.status === "online" && client.stats.connects === connects + 1, {
    clock,
    message: "a new session online",
  });
}

/** Lets fake time pass (every IQ timeout, join timeout and retry runs out) and measures. */
export async function settle({ client, clock }: Lifecycle, ms = 120_000): Promise<PluginFootprint> {
  for (let passed = 0; passed < ms; passed += 1_000) {
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(1_000);
  }
  await new Promise((resolve) => setImmediate(resolve));
  return footprint(client, clock);
}

/** Stops the clients once the server has acknowledged what they sent (fake time moves meanwhile). */
export async function stopLifecycles(...lifecycles: Lifecycle[]): Promise<void> {
  await Promise.all(
    lifecycles.map(async ({ client, clock }) => {
      if (client.status === "online") {
        await until(() => client.stats.queued === 0, { clock, timeout: 1_000 }).catch(() => {});
      }
      await client.stop();
    }),
  );
}

/** Pings the client as its server would (XEP-0199) and waits for the answer. */
export async function pingAnswered(
  { client, server, clock }: Lifecycle,
  id: string,
): Promise<void> {
  server.receive(
    xml(
      "iq",
      { type: "get", id, from: client.account.domain, to: client.jid?.full },
      xml("ping", { xmlns: "urn:xmpp:ping" }),
    ),
  );
  await until(() => server.sent.some((el) => el.name === "iq" && el.attrs.id === id), {
    clock,
    message: `an answer to ping "${id}"`,
  });
}

/**
 * A plugin that registers one of everything through its context and throws from `stop()`:
 * its neighbours' cleanup, and its own, must still run.
 */
export function throwingPlugin(name: string): AnyPlugin {
  return definePlugin(name, (ctx) => {
    ctx.iqHandlers.register("get", `urn:x-conformance:${name}`, "query", () => xml("query"));
    ctx.disco.addFeature(`urn:x-conformance:${name}`);
    ctx.inbound.use("parse", () => {});
    ctx.outbound.use("build", () => {});
    ctx.clock.setInterval(() => {}, 60_000);
    ctx.client.on("message", () => {});
    return {
      stop() {
        throw new Error(`${name}: stop() failed on purpose`);
      },
    };
  });
}
