/**
 * `fakeClient()`: the setup nearly every plugin unit test starts with — a real `@clawxmpp/core`
 * client on a fresh {@link fakeServer}, with no keepalive pings to answer, stopped when the test
 * that created it finishes so no test leaves a client running into the next.
 */
import { type Client, type ClientOptions, createClient } from "@clawxmpp/core";
import { onTestFinished } from "vitest";
import { type FakeServer, type FakeServerOptions, fakeServer } from "./fake-transport.js";

/** The account {@link fakeClient} logs in as unless told otherwise. */
export const FAKE_CLIENT_JID = "bot@example.test";

/** Options of {@link fakeClient}: any client option (the transport is the fake server's). */
export type FakeClientOptions = Partial<Omit<ClientOptions, "transport">> & {
  /** Options of the fake server the client connects to (`server` is the client's own option). @default {} */
  fakeServer?: FakeServerOptions;
};

/** A client and the fake server it talks to. */
export interface FakeClient {
  /** The fake server: the test plays it with `receive()`, `sent` and `nextSent()`. */
  readonly server: FakeServer;
  /** The client, created but not started (plugins are added before `start()`). */
  readonly client: Client;
}

/**
 * Creates (not starts) a client for {@link FAKE_CLIENT_JID} on a new fake server with
 * `keepalive: { interval: 0 }`; `options` override any of that. Call it inside a test: the
 * client is stopped when that test finishes (vitest's `onTestFinished`), pass or fail.
 */
export function fakeClient(options: FakeClientOptions = {}): FakeClient {
  const { fakeServer: serverOptions, ...clientOptions } = options;
  const server = fakeServer(serverOptions);
  const client = createClient({
    jid: FAKE_CLIENT_JID,
    password: "unused by the fake server",
    keepalive: { interval: 0 },
    ...clientOptions,
    transport: server.factory,
  });
  onTestFinished(() => client.stop());
  return { server, client };
}
