/**
 * Options of the DNS SRV lookup (RFC 6120 §3.2.1, XEP-0368) that finds the
 * server when no `server` is configured.
 */
import { isIP } from "node:net";
import { z } from "zod";

/** True for `ip`, `ip:port` and `[ipv6]:port`, the forms `dns.Resolver#setServers` accepts. */
export function isDnsServerAddress(value: string): boolean {
  if (isIP(value) !== 0) return true;
  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/u.exec(value);
  const plain = /^([\d.]+):(\d{1,5})$/u.exec(value);
  const match = bracketed ?? plain;
  if (!match) return false;
  const port = Number(match[2]);
  return isIP(match[1] ?? "") !== 0 && port >= 1 && port <= 65_535;
}

/** DNS settings used when the `server` option is left out. */
export const dnsOptionsSchema = z
  .object({
    /**
     * DNS servers to ask for the SRV records and their targets' A/AAAA records, as `ip`,
     * `ip:port` or `[ipv6]:port` (e.g. `["127.0.0.1:5353"]`). @default the system's resolvers
     * (targets are then resolved by the operating system, so `/etc/hosts` applies)
     */
    servers: z
      .array(
        z.string().refine(isDnsServerAddress, {
          message: 'must be an IP address, "ip:port" or "[ipv6]:port"',
        }),
      )
      .min(1)
      .optional(),
    /**
     * Time allowed for each lookup, in ms; on timeout the client falls back to the JID's
     * domain on port 5222. @default 5000
     */
    timeout: z.number().int().min(1).default(5_000),
  })
  .strict()
  .prefault({});

/** What callers pass as `dns`. */
export type DnsOptions = z.input<typeof dnsOptionsSchema>;

/** One SRV answer, as `dns.promises.Resolver#resolveSrv` gives it. */
export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/** The DNS queries the transport makes; `dns.promises.Resolver` fits (tests inject a fake). */
export interface SrvResolver {
  resolveSrv(name: string): Promise<SrvRecord[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

/** SRV settings handed to the transport (see `TransportParams.srv`). */
export interface SrvSettings {
  /** DNS servers; the system's when undefined. */
  servers?: string[] | undefined;
  /** Per-lookup timeout in ms. */
  timeout: number;
  /** Replaces the DNS resolver (tests). */
  resolver?: SrvResolver | undefined;
  /** Random source for RFC 2782 weighting, in [0, 1) (tests). @default Math.random */
  random?: (() => number) | undefined;
}
