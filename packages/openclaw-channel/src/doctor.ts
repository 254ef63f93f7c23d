/**
 * What `openclaw channels status` (and its probe) reports about the server
 * behind an account: whether it is reachable, how the session is secured
 * (TLS mode, RFC 5929/9266 channel binding) and authenticated (the SASL
 * mechanism, RFC 6120 §6 / XEP-0388), and which services the agent's features
 * rely on: XEP-0363 upload, XEP-0313 archive, XEP-0163 PEP, and OMEMO
 * (XEP-0384) readiness. Checked once per new session, never per message.
 */
import type { Client, Element } from "@clawxmpp/core";
import { xml } from "@clawxmpp/core";
import type { UploadHandle } from "@clawxmpp/upload";
import type { ResolvedXmppAccount } from "./accounts.js";

const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
const NS_MAM = "urn:xmpp:mam:2";
/** How long each disco query may take. */
export const DOCTOR_IQ_TIMEOUT_MS = 10_000;

/** A service's availability: found, missing, or not known (the query failed). */
export type Availability = "available" | "missing" | "unknown";

/** The doctor's findings, as flat status fields. */
export interface ServerFacts {
  /** `reachable` while a session is open; else `unreachable` (see `lastError`). */
  server: "reachable" | "unreachable";
  /** `starttls` or `direct` (XEP-0368); TLS is always required. */
  tls: string;
  /** TLS protocol of the session (e.g. `TLSv1.3`), with the server's certificate verified. */
  tlsVersion: string | null;
  /** Channel binding used at login (`tls-exporter`, `tls-server-end-point`), or `none`. */
  channelBinding: string;
  /** SASL mechanism of the last login, e.g. `SCRAM-SHA-256-PLUS`. */
  saslMechanism: string | null;
  /** `sasl1` or `sasl2` (XEP-0388). */
  saslPath: string | null;
  /** The XEP-0363 service JID, `missing`, or `unknown`. */
  uploadService: string;
  /** Largest upload in bytes, when announced. */
  uploadMaxBytes: number | null;
  /** XEP-0313 archive of the account. */
  mam: Availability;
  /** XEP-0163 personal eventing on the account. */
  pep: Availability;
  /** OMEMO: `not enabled`, `package missing`, `starting`, `ready (device <id>)`. */
  omemo: string;
}

/** What the doctor looks at. */
export interface DoctorDeps {
  client: Pick<Client, "status" | "stats" | "iq" | "account">;
  account: Pick<ResolvedXmppAccount, "tls" | "omemo">;
  upload?: Pick<UploadHandle, "service"> | undefined;
  /** Whether the OMEMO package can be loaded; default: tries to import it. */
  omemoAvailable?: () => Promise<boolean>;
  /** The running account's OMEMO device, once it exists (`omemo-channel.ts`). */
  omemoStatus?: (() => { deviceId: number } | undefined) | undefined;
}

/** Facts that need no network: connection and login. */
export function connectionFacts(deps: Pick<DoctorDeps, "client" | "account">) {
  const { stats } = deps.client;
  return {
    server: deps.client.status === "online" ? "reachable" : "unreachable",
    tls: deps.account.tls.mode,
    tlsVersion: stats.login?.tlsVersion ?? null,
    channelBinding: stats.login?.channelBinding ?? "none",
    saslMechanism: stats.login?.mechanism ?? stats.mechanism ?? null,
    saslPath: stats.login?.path ?? null,
  } satisfies Partial<ServerFacts>;
}

/** Runs every check; never rejects (a failed check reports `unknown`). */
export async function diagnoseServer(deps: DoctorDeps): Promise<ServerFacts> {
  const [upload, own, omemo] = await Promise.all([
    uploadFacts(deps.upload),
    accountInfo(deps.client),
    omemoReadiness(deps),
  ]);
  return {
    ...connectionFacts(deps),
    ...upload,
    mam: own === undefined ? "unknown" : own.features.has(NS_MAM) ? "available" : "missing",
    pep: own === undefined ? "unknown" : own.pep ? "available" : "missing",
    omemo,
  };
}

async function uploadFacts(upload: DoctorDeps["upload"]) {
  if (upload === undefined) return { uploadService: "unknown", uploadMaxBytes: null };
  try {
    const service = await upload.service();
    return { uploadService: service.jid, uploadMaxBytes: service.maxFileSize ?? null };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { uploadService: code === "no-service" ? "missing" : "unknown", uploadMaxBytes: null };
  }
}

/** disco#info of the account's bare JID (XEP-0313 §7, XEP-0163 §6.1). */
async function accountInfo(
  client: DoctorDeps["client"],
): Promise<{ features: Set<string>; pep: boolean } | undefined> {
  try {
    const result: Element = await client.iq.get(
      xml("query", { xmlns: NS_DISCO_INFO }),
      client.account.bare,
      { timeout: DOCTOR_IQ_TIMEOUT_MS },
    );
    const query = result.name === "query" ? result : result.getChild("query", NS_DISCO_INFO);
    if (query === undefined) return undefined;
    const features = new Set(
      query.getChildren("feature").map((feature) => String(feature.attrs.var ?? "")),
    );
    const pep = query
      .getChildren("identity")
      .some((identity) => identity.attrs.category === "pubsub" && identity.attrs.type === "pep");
    return { features, pep };
  } catch {
    return undefined;
  }
}

async function omemoReadiness(deps: DoctorDeps): Promise<string> {
  if (!deps.account.omemo.enabled) return "not enabled";
  const available = await (deps.omemoAvailable ?? omemoPackageLoads)();
  if (!available) return "package missing";
  const device = deps.omemoStatus?.();
  return device === undefined ? "starting" : `ready (device ${device.deviceId})`;
}

/** Imports `specifier`; the name is not static so bundlers and tsc leave the optional package alone. */
const importOptional = (specifier: string): Promise<unknown> => import(specifier);

async function omemoPackageLoads(): Promise<boolean> {
  try {
    await importOptional("@clawxmpp/omemo");
    return true;
  } catch {
    return false;
  }
}
