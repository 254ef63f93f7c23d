/**
 * One Prosody per test file, started before the first test and removed after
 * the last; the clients a test creates are stopped after that test, passed or
 * failed, so a failure does not leave sessions behind for the next test.
 */
import type { Client, ClientOptions } from "@clawxmpp/core";
import { afterAll, afterEach, beforeAll } from "vitest";
import {
  clientFor,
  type ProsodyInstance,
  type ProsodyOptions,
  startProsody,
} from "../src/index.js";

/** The file's server and a client factory. */
export interface ProsodySuite {
  /** The running server (available from the first test on). */
  readonly server: ProsodyInstance;
  /** A client for `user`, stopped after the current test. */
  make(user: string, overrides?: Partial<ClientOptions>): Client;
}

/** Registers the hooks; call at the top level of a test file. */
export function prosodySuite(options: ProsodyOptions = {}): ProsodySuite {
  let server: ProsodyInstance | undefined;
  const clients: Client[] = [];
  beforeAll(async () => {
    server = await startProsody(options);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await server?.stop();
  });
  const running = (): ProsodyInstance => {
    if (!server) throw new Error("the suite's Prosody is not running");
    return server;
  };
  return {
    get server() {
      return running();
    },
    make(user, overrides = {}) {
      const client = clientFor(running(), user, overrides);
      clients.push(client);
      return client;
    },
  };
}
