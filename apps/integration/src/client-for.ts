/** A `@clawxmpp/core` client for a test account, trusting the fixture's CA. */
import { type Client, type ClientOptions, createClient } from "@clawxmpp/core";
import type { ProsodyInstance } from "./prosody.js";

/** Overrides for {@link clientFor}. */
export type ClientForOptions = Partial<Omit<ClientOptions, "jid">>;

/** Creates (not starts) a client for `user` on `server`. */
export function clientFor(
  server: ProsodyInstance,
  user: string,
  overrides: ClientForOptions = {},
): Client {
  const account = server.accounts[user];
  if (!account) throw new Error(`no account "${user}" on the test server`);
  return createClient({
    jid: account.jid,
    password: account.password,
    server: server.host,
    port: server.c2sPort,
    resource: `test-${Math.random().toString(36).slice(2, 8)}`,
    ...overrides,
    tls: { ca: server.caCert, ...overrides.tls },
  });
}
