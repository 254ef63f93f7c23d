/**
 * The live XMPP client of each running account, so adapters that run outside
 * `gateway.startAccount` (outbound sends, pairing notices, status probes) in the
 * same gateway process can reach the connection.
 */
import type { Client } from "@clawxmpp/core";

const clients = new Map<string, Client>();

/** Registers `client` as the connection of `accountId`; returns the unregister function. */
export function registerLiveClient(accountId: string, client: Client): () => void {
  clients.set(accountId, client);
  return () => {
    if (clients.get(accountId) === client) clients.delete(accountId);
  };
}

/** The live client of `accountId`, if the account is running in this process. */
export function liveClient(accountId: string): Client | undefined {
  return clients.get(accountId);
}
