/**
 * One HTTP GET to an already checked target, connecting only to its checked
 * addresses (the `lookup` hook answers with them instead of asking DNS
 * again), on a fresh connection (no pooled socket to another address), and
 * asking for the identity encoding so the byte cap counts what is saved.
 */
import type { LookupAddress } from "node:dns";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { ResolvedTarget } from "./resolve-target.js";

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** Sends the GET; resolves with the response head (body unread). */
export function httpGet(target: ResolvedTarget, signal: AbortSignal): Promise<IncomingMessage> {
  const { url, addresses } = target;
  const pinned = (_hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    const first = addresses[0]!;
    if (options.all) callback(null, addresses);
    else callback(null, first.address, first.family);
  };
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(url, {
      method: "GET",
      headers: { "accept-encoding": "identity", "user-agent": "clawxmpp-upload" },
      lookup: pinned as never,
      agent: false,
      signal,
    });
    request.once("response", resolve);
    // `on`, not `once`: a later socket error after the response must not go unhandled.
    request.on("error", reject);
    request.end();
  });
}
