/**
 * Finding the server by DNS SRV (RFC 6120 §3.2.1): `_xmpps-client._tcp`
 * (direct TLS, XEP-0368) and `_xmpp-client._tcp` (STARTTLS) are looked up
 * in parallel and merged into one list ordered as RFC 2782 says (lowest
 * priority first, weighted random within a priority). A lone record with
 * target "." means the domain offers no service of that kind. Without
 * records, or when DNS fails, the client falls back to the domain on 5222.
 */
import { Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import type { SrvRecord, SrvResolver, SrvSettings } from "../dns-options.js";
import { ClawXmppError } from "../errors.js";
import { withTimeout } from "./waiter.js";

/** How a candidate speaks TLS: XEP-0368 direct TLS, RFC 6120 STARTTLS, or not at all (loopback tests). */
export type TlsMode = "direct" | "starttls" | "none";

/** One place to try to connect to. */
export interface Endpoint {
  /** Host name (SRV target or the domain) or IP. */
  host: string;
  port: number;
  tls: TlsMode;
  /** Where the candidate came from, for logs and errors. */
  source: "_xmpps-client" | "_xmpp-client" | "fallback" | "configured";
}

/** The outcome of the lookup, including what DNS said (for the debug log). */
export interface SrvResult {
  endpoints: Endpoint[];
  /** Per record kind: the records, "no-service" (target "."), "none" (no records) or the DNS error. */
  answers: Record<"_xmpps-client" | "_xmpp-client", string[] | string>;
}

type Answer =
  | { kind: "records"; records: SrvRecord[] }
  | { kind: "no-service" }
  | { kind: "none" }
  | { kind: "failed"; error: string };

/**
 * Orders SRV records per RFC 2782: ascending priority; within a priority, repeatedly pick a
 * record with probability proportional to its weight (weight-0 records first in the running
 * sum, so they are chosen only rarely when others have weight).
 */
export function orderSrv<T extends { priority: number; weight: number }>(
  records: readonly T[],
  random: () => number = Math.random,
): T[] {
  const byPriority = new Map<number, T[]>();
  for (const record of records) {
    const group = byPriority.get(record.priority);
    if (group) group.push(record);
    else byPriority.set(record.priority, [record]);
  }
  const ordered: T[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    const group = (byPriority.get(priority) ?? []).sort(
      (a, b) => Number(a.weight !== 0) - Number(b.weight !== 0),
    );
    while (group.length > 0) {
      const total = group.reduce((sum, r) => sum + r.weight, 0);
      const pick = Math.min(Math.floor(random() * (total + 1)), total);
      let running = 0;
      let index = group.findIndex((r) => {
        running += r.weight;
        return running >= pick;
      });
      if (index < 0) index = group.length - 1;
      ordered.push(...group.splice(index, 1));
    }
  }
  return ordered;
}

/** The resolver to use: the injected one, else Node's with the configured servers. */
export function dnsResolver(settings: SrvSettings): SrvResolver {
  if (settings.resolver) return settings.resolver;
  const resolver = new Resolver({ timeout: settings.timeout, tries: 2 });
  if (settings.servers) resolver.setServers(settings.servers);
  return resolver;
}

/**
 * Looks up both record kinds for `domain` and returns the endpoints to try in order. `mode`
 * "direct" uses only direct-TLS records (fallback: port 5223).
 */
export async function lookupEndpoints(
  domain: string,
  mode: "starttls" | "direct",
  settings: SrvSettings,
  resolver: SrvResolver = dnsResolver(settings),
): Promise<SrvResult> {
  const query = (service: string): Promise<Answer> =>
    withTimeout(resolver.resolveSrv(`${service}._tcp.${domain}`), settings.timeout, "dns").then(
      (records): Answer => {
        if (records.length === 0) return { kind: "none" };
        if (records.length === 1 && isRoot(records[0]?.name)) return { kind: "no-service" };
        return { kind: "records", records: records.filter((r) => !isRoot(r.name)) };
      },
      (error: unknown): Answer => {
        const code = (error as { code?: string }).code;
        if (code === "ENODATA" || code === "ENOTFOUND") return { kind: "none" };
        return { kind: "failed", error: code ?? (error as Error).message ?? String(error) };
      },
    );
  const [direct, starttls] = await Promise.all([
    query("_xmpps-client"),
    mode === "direct" ? Promise.resolve<Answer>({ kind: "none" }) : query("_xmpp-client"),
  ]);
  const answers = { "_xmpps-client": describe(direct), "_xmpp-client": describe(starttls) };

  const tagged = [
    ...recordsOf(direct).map((r) => ({
      ...r,
      tls: "direct" as const,
      source: "_xmpps-client" as const,
    })),
    ...recordsOf(starttls).map((r) => ({
      ...r,
      tls: "starttls" as const,
      source: "_xmpp-client" as const,
    })),
  ];
  const endpoints: Endpoint[] = orderSrv(tagged, settings.random).map((r) => ({
    host: r.name.replace(/\.$/u, ""),
    port: r.port,
    tls: r.tls,
    source: r.source,
  }));
  if (endpoints.length > 0) return { endpoints, answers };

  // The kind we would fall back to says "decidedly not available" (RFC 2782): do not guess.
  const fallbackAnswer = mode === "direct" ? direct : starttls;
  if (fallbackAnswer.kind === "no-service") {
    throw new ClawXmppError(
      "connection",
      `${domain} publishes no XMPP client service (SRV target "."); set the server option to connect anyway`,
      { terminal: true },
    );
  }
  return {
    endpoints: [
      {
        host: domain,
        port: mode === "direct" ? 5223 : 5222,
        tls: mode,
        source: "fallback",
      },
    ],
    answers,
  };
}

/**
 * The IP addresses to connect to for `host` (A first, then AAAA) through `resolver`, which is
 * given only when custom DNS servers are configured. Without it, or when it finds no address
 * (those servers down, or not knowing the name), the host name is returned as it is and the
 * operating system resolves it (so `/etc/hosts` applies).
 */
export async function addressesOf(
  host: string,
  resolver: SrvResolver | undefined,
  timeout: number,
): Promise<string[]> {
  if (!resolver || isIP(host) !== 0) return [host];
  const ask = (lookup: Promise<string[]>) =>
    withTimeout(lookup, timeout, "dns").catch((): string[] => []);
  const [v4, v6] = await Promise.all([ask(resolver.resolve4(host)), ask(resolver.resolve6(host))]);
  const all = [...v4, ...v6];
  return all.length > 0 ? all : [host];
}

/**
 * True when SRV makes no sense for `domain`: an IP literal, or `localhost` and its subdomains,
 * which resolvers must not send to DNS (RFC 6761 §6.3).
 */
export function skipsSrv(domain: string): boolean {
  const name = domain
    .replace(/^\[|\]$/gu, "")
    .toLowerCase()
    .replace(/\.$/u, "");
  return isIP(name) !== 0 || name === "localhost" || name.endsWith(".localhost");
}

function isRoot(name: string | undefined): boolean {
  return name === "" || name === ".";
}

function recordsOf(answer: Answer): SrvRecord[] {
  return answer.kind === "records" ? answer.records : [];
}

function describe(answer: Answer): string[] | string {
  switch (answer.kind) {
    case "records":
      return answer.records.map((r) => `${r.priority} ${r.weight} ${r.port} ${r.name}`);
    case "no-service":
      return "no-service";
    case "none":
      return "none";
    default:
      return `failed: ${answer.error}`;
  }
}
