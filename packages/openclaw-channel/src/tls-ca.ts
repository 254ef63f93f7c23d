/**
 * `tls.ca`: PEM text as is, or a PEM file read when the account starts
 * (`~/` is the home directory; relative paths are taken from the gateway's
 * working directory). A file that cannot be read or holds no certificate is a
 * configuration error naming the path, so the account is reported blocked
 * instead of failing TLS later with a less helpful message.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { resolve } from "node:path";

const CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/u;
/** A CA bundle larger than this is not a CA bundle. */
const MAX_CA_BYTES = 1_000_000;

/** The PEM text `ca` stands for; throws an Error whose message names `channels.xmpp.tls.ca`. */
export function loadCa(ca: string): string {
  if (ca.includes("-----BEGIN")) return ca;
  const path = ca.startsWith("~/") ? resolve(homedir(), ca.slice(2)) : resolve(ca);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`channels.xmpp.tls.ca: cannot read ${path} (${code})`);
  }
  if (text.length > MAX_CA_BYTES || !CERT.test(text)) {
    throw new Error(`channels.xmpp.tls.ca: ${path} holds no PEM certificate`);
  }
  return text;
}
