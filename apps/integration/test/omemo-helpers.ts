/** Shared set-up of the OMEMO plugin suites: clients with pubsub, muc and omemo on one Prosody. */
import type { Client, Logger } from "@clawxmpp/core";
import { type MucHandle, muc } from "@clawxmpp/muc";
import { type OmemoHandle, type OmemoOptionsInput, omemo } from "@clawxmpp/omemo";
import { pubsub } from "@clawxmpp/pubsub";
import { clientFor, type ProsodyInstance } from "../src/index.js";

/** A client with the OMEMO plugin, and what it logged at info level or above. */
export interface OmemoAccount {
  client: Client;
  om: OmemoHandle;
  rooms: MucHandle;
  warnings: string[];
}

/** A logger keeping info and above (the bad-input suite checks every refusal is logged with a reason). */
export function recordingLogger(warnings: string[]): Logger {
  const keep = (level: string) => (message: string, data?: Record<string, unknown>) => {
    warnings.push(`${level} ${message} ${JSON.stringify(data ?? {})}`);
  };
  const logger: Logger = {
    debug() {},
    info: keep("info"),
    warn: keep("warn"),
    error: keep("error"),
    child: () => logger,
  };
  return logger;
}

/** Starts a client for `user` with pubsub, muc and omemo; resolves once our device is published. */
export async function omemoAccount(
  server: ProsodyInstance,
  user: string,
  options: OmemoOptionsInput = {},
  /** Uses more plugins before omemo (its optional dependencies, e.g. upload). */
  before: (client: Client) => void = () => {},
): Promise<OmemoAccount> {
  const warnings: string[] = [];
  const client = clientFor(server, user, { logger: recordingLogger(warnings) });
  client.use(pubsub, {});
  const rooms = client.use(muc, { nickname: user });
  before(client);
  const om = client.use(omemo, options);
  const published = om.published();
  await client.start();
  await published;
  return { client, om, rooms, warnings };
}
