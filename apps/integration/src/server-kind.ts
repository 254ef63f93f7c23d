/**
 * The servers of the integration matrix and how a run picks them
 * (`CLAWXMPP_SERVERS`, a comma list; default: all three).
 */
import type { ProsodyInstance, ProsodyOptions } from "./prosody.js";

/** Every server kind the harness can start. */
export const SERVER_KINDS = ["prosody12", "prosody13", "ejabberd"] as const;

/**
 * `prosody12`: Debian's Prosody 0.12; `prosody13`: Prosody 13 + prosody-modules from
 * bookworm-backports, side by side; `ejabberd`: ejabberd 24.12 from bookworm-backports.
 */
export type ServerKind = (typeof SERVER_KINDS)[number];

/** Options of `startServer`: the kind plus everything `startProsody` takes. */
export interface ServerOptions extends ProsodyOptions {
  kind: ServerKind;
}

/** A running test server of any kind: the Prosody instance shape plus what it is. */
export interface XmppServer extends ProsodyInstance {
  kind: ServerKind;
  /** The server's version as packaged, e.g. "0.12.3", "13.0.1", "24.12". */
  version: string;
}

/** The kinds to test against, from `CLAWXMPP_SERVERS` (default all); unknown names throw. */
export function serverKinds(env: string | undefined = process.env.CLAWXMPP_SERVERS): ServerKind[] {
  const names = (env ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (names.length === 0) return [...SERVER_KINDS];
  const unknown = names.filter((n) => !(SERVER_KINDS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new Error(
      `CLAWXMPP_SERVERS: unknown server ${unknown.join(", ")} (known: ${SERVER_KINDS.join(", ")})`,
    );
  }
  return [...new Set(names)] as ServerKind[];
}
