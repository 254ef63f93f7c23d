/**
 * Login settings from the client options, built once per client: the
 * XEP-0388 user-agent id must stay the same across reconnects (servers key
 * FAST tokens and Bind2 resources by it), and the token store is opened once.
 */
import { randomUUID } from "node:crypto";
import type { ResolvedClientOptions } from "../options.js";
import type { LoginSettings } from "../transport.js";
import { memoryTokenStore } from "./fast.js";
import { fileTokenStore } from "./fast-file-store.js";

/** The transport's login settings for `options`. */
export function loginSettings(options: ResolvedClientOptions): LoginSettings {
  const { login, software } = options;
  const store = login.fast.store;
  return {
    sasl2: login.sasl2,
    // Bind2 only for a client that catches up from the archive (see the option's JSDoc).
    bind2: login.bind2 ?? options.archive.catchUp,
    fast: login.fast.enabled,
    pipelineStarttls: login.fast.enabled && login.fast.pipelineStarttls,
    tokenStore: typeof store === "string" ? fileTokenStore(store) : (store ?? memoryTokenStore()),
    userAgent: {
      id: login.userAgent.id ?? randomUUID(),
      software: software.name,
      device: login.userAgent.device,
    },
  };
}
