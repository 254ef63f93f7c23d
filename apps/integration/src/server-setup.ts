/**
 * What every server kind sets up alike before its own configuration and
 * process: a fresh directory with a throwaway CA and certificate, free
 * loopback ports, the configuration inputs both kinds share, and the
 * registry of test accounts.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { join } from "node:path";
import { makeCertificates, type TestCertificates } from "./certs.js";
import { freePorts } from "./ports.js";
import type { ProsodyOptions } from "./prosody.js";
import type { ProsodyConfigInput } from "./prosody-config.js";
import type { InstanceParts } from "./server-instance.js";

/** The configuration inputs both kinds take, from the options and the prepared directory. */
export type SharedConfigInput = Omit<
  ProsodyConfigInput,
  "generation" | "extraGlobal" | "extraModules"
>;

/** A prepared server: directory, certificates and ports, not yet configured nor started. */
export interface PreparedServer {
  config: SharedConfigInput;
  certs: TestCertificates;
  /** PEM of the CA. */
  caCert: string;
  /** Keep the directory on stop. */
  keep: boolean;
  /** The free ports the kind asked for beyond c2s, direct TLS and HTTP. */
  extraPorts: number[];
}

/** Makes `<root>/<prefix>…` with a CA and a certificate for the domain, and picks free ports. */
export async function prepareServer(
  options: ProsodyOptions,
  where: { root: string; prefix: string; extraPorts?: number },
): Promise<PreparedServer> {
  const domain = options.domain ?? "localhost";
  const dir = await mkdtemp(join(where.root, where.prefix));
  const certs = await makeCertificates(dir, domain);
  const [c2sPort, c2sDirectTlsPort, httpPort, ...extraPorts] = (await freePorts(
    3 + (where.extraPorts ?? 0),
  )) as [number, number, number, ...number[]];
  return {
    config: {
      dir,
      domain,
      c2sPort,
      c2sDirectTlsPort,
      httpPort,
      cert: certs.cert,
      key: certs.key,
      tls: options.tls ?? "required",
      mam: options.mam ?? true,
      smacksHibernationSeconds: options.smacksHibernationSeconds ?? 60,
      uploadSizeLimit: options.uploadSizeLimit ?? 1024 * 1024,
      components: options.components,
    },
    certs,
    caCert: await readFile(certs.caCert, "utf8"),
    keep: options.keep ?? false,
    extraPorts,
  };
}

/** An instance's accounts; `register` creates one on the server (a data file, an HTTP call). */
export interface AccountRegistry extends Pick<InstanceParts, "accounts" | "createAccount"> {
  /** Creates `wanted` (user → password), by default alice, bob and bot with their names as passwords. */
  createAll(wanted?: Record<string, string>): Promise<void>;
}

/** Accounts `user@domain`, each created on the server by `register`. */
export function accountRegistry(
  domain: string,
  register: (user: string, password: string) => Promise<void>,
): AccountRegistry {
  const accounts: InstanceParts["accounts"] = {};
  const createAccount = async (user: string, password: string) => {
    await register(user, password);
    const account = { jid: `${user}@${domain}`, password };
    accounts[user] = account;
    return account;
  };
  return {
    accounts,
    createAccount,
    async createAll(wanted = { alice: "alice", bob: "bob", bot: "bot" }) {
      for (const [user, password] of Object.entries(wanted)) await createAccount(user, password);
    },
  };
}
