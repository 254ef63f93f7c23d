/**
 * Where a download may connect. The URL's host is resolved once, every
 * resolved address is checked (a name with one public and one private
 * address is refused), and the request then connects to exactly these
 * checked addresses — a second DNS answer (rebinding) is never used.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import { isPrivateAddress } from "./address-check.js";
import { UploadError } from "./upload-error.js";

/** Resolves a host name to all its addresses (injectable for tests). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

/** The system resolver (`getaddrinfo` via `dns.lookup`, all addresses). */
export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      if (error) reject(error);
      else resolve(addresses);
    });
  });

/** A URL whose host passed the checks, with the addresses to connect to. */
export interface ResolvedTarget {
  url: URL;
  /** Checked addresses, in resolver order; non-empty. */
  addresses: LookupAddress[];
}

/** Checks scheme and credentials, resolves the host and checks every address. */
export async function resolveTarget(
  url: URL,
  options: { allowPrivateAddresses: boolean; resolver: Resolver },
): Promise<ResolvedTarget> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UploadError("insecure-url", `refusing to download a ${url.protocol} URL`);
  }
  if (url.username || url.password) {
    throw new UploadError("insecure-url", "refusing to download a URL with credentials");
  }
  const host = url.hostname.replace(/^\[|\]$/gu, "");
  let addresses: LookupAddress[];
  const family = isIP(host);
  if (family !== 0) {
    addresses = [{ address: host, family }];
  } else {
    try {
      addresses = await options.resolver(host);
    } catch (error) {
      throw new UploadError("io", `cannot resolve ${host}`, { cause: error });
    }
  }
  if (addresses.length === 0) throw new UploadError("io", `${host} has no address`);
  if (!options.allowPrivateAddresses) {
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) {
      throw new UploadError(
        "private-address",
        `refusing to download from ${host}: it resolves to the non-public address ${bad.address} (allowPrivateAddresses is off)`,
      );
    }
  }
  return { url, addresses };
}
