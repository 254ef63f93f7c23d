/**
 * A throwaway CA and a server certificate it signs, made with openssl, for
 * `localhost`, its components and the loopback addresses.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Paths of the generated PEM files. */
export interface TestCertificates {
  caCert: string;
  cert: string;
  key: string;
}

/** Creates `ca.crt`, `server.crt` and `server.key` in `dir` for `domain` and `*.domain`. */
export async function makeCertificates(dir: string, domain: string): Promise<TestCertificates> {
  const caKey = join(dir, "ca.key");
  const caCert = join(dir, "ca.crt");
  const key = join(dir, "server.key");
  const csr = join(dir, "server.csr");
  const cert = join(dir, "server.crt");
  const ext = join(dir, "server.ext");
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await run("openssl", [
    "req",
    "-x509",
    ...ec,
    "-days",
    "3",
    "-keyout",
    caKey,
    "-out",
    caCert,
    "-subj",
    "/CN=clawxmpp throwaway test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await run("openssl", ["req", ...ec, "-keyout", key, "-out", csr, "-subj", `/CN=${domain}`]);
  await writeFile(
    ext,
    `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${domain},DNS:*.${domain},IP:127.0.0.1,IP:::1\n`,
  );
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    caCert,
    "-CAkey",
    caKey,
    "-CAcreateserial",
    "-days",
    "3",
    "-out",
    cert,
    "-extfile",
    ext,
  ]);
  return { caCert, cert, key };
}
