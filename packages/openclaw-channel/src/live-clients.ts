/**
 * The live XMPP session of each running account, so adapters that run outside
 * `gateway.startAccount` (outbound sends, pairing notices, actions, status
 * probes, directory) in the same gateway process can reach the connection.
 */
import type { Client } from "@clawxmpp/core";
import type { MarkersHandle } from "@clawxmpp/markers";
import type { MucHandle } from "@clawxmpp/muc";
import type { UploadHandle } from "@clawxmpp/upload";
import type { ServerFacts } from "./doctor.js";
import type { MessageIdMap } from "./message-ids.js";
import type { ChannelOmemo } from "./omemo-channel.js";

/** One running account: its client and the plugin handles composed on it. */
export interface LiveSession {
  client: Client;
  /** XEP-0085/0444/0461 handle; absent in bare-client tests. */
  markers?: MarkersHandle | undefined;
  /** XEP-0045 handle; absent in bare-client tests. */
  rooms?: MucHandle | undefined;
  /** XEP-0363 handle; absent in bare-client tests. */
  upload?: Pick<UploadHandle, "sendFile"> | undefined;
  /** OpenClaw message id → XMPP reference id, filled by the inbound handler. */
  ids?: MessageIdMap | undefined;
  /** Roster contacts (bare JIDs), when the roster was fetched. */
  roster?: (() => Promise<string[]>) | undefined;
  /** OMEMO, when the account enables it. */
  omemo?: Pick<ChannelOmemo, "status"> | undefined;
  /** The doctor's findings about the server (`doctor.ts`), once checked. */
  serverFacts?: (() => ServerFacts | undefined) | undefined;
}

const sessions = new Map<string, LiveSession>();

/** Registers `client` (or a whole session) for `accountId`; returns the unregister function. */
export function registerLiveClient(accountId: string, session: Client | LiveSession): () => void {
  const entry: LiveSession = "client" in session ? session : { client: session };
  sessions.set(accountId, entry);
  return () => {
    if (sessions.get(accountId) === entry) sessions.delete(accountId);
  };
}

/** The live client of `accountId`, if the account is running in this process. */
export function liveClient(accountId: string): Client | undefined {
  return sessions.get(accountId)?.client;
}

/** The live session of `accountId`, if the account is running in this process. */
export function liveSession(accountId: string): LiveSession | undefined {
  return sessions.get(accountId);
}
