/**
 * `startServer`: one entry point for every server of the matrix, all returning
 * the same instance interface (the Prosody fixture's, plus `kind` and `version`).
 */
import { startEjabberd } from "./ejabberd.js";
import { launchProsody } from "./prosody.js";
import type { ServerOptions, XmppServer } from "./server-kind.js";

/** Starts a throwaway server of `options.kind` on free loopback ports with a throwaway CA. */
export function startServer(options: ServerOptions): Promise<XmppServer> {
  const { kind, ...rest } = options;
  switch (kind) {
    case "prosody12":
    case "prosody13":
      return launchProsody(kind, rest);
    case "ejabberd":
      return startEjabberd(rest);
    default:
      throw new Error(`unknown server kind ${String(kind satisfies never)}`);
  }
}
