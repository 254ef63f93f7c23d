#!/usr/bin/env node
/**
 * `clawxmpp-prosody`: a throwaway Prosody for your own tests, from the command line. Prints the
 * accounts, ports and CA path; SIGINT/SIGTERM stop it and remove its directory.
 */
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CLI_USAGE, parseCliArgs } from "./cli-args.js";
import { startProsody } from "./prosody.js";

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseCliArgs>;
  try {
    args = parseCliArgs(argv, () => randomBytes(9).toString("base64url"));
  } catch (error) {
    console.error(`clawxmpp-prosody: ${(error as Error).message}\n\n${CLI_USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(CLI_USAGE);
    return 0;
  }
  const server = await startProsody({ domain: args.domain, accounts: args.accounts });
  const caPath = join(server.dir, "ca.crt");
  await writeFile(caPath, server.caCert);
  const info = {
    domain: server.domain,
    host: server.host,
    c2sPort: server.c2sPort,
    c2sDirectTlsPort: server.c2sDirectTlsPort,
    httpPort: server.httpPort,
    mucDomain: server.mucDomain,
    uploadDomain: server.uploadDomain,
    caPath,
    dir: server.dir,
    accounts: server.accounts,
  };
  if (args.json) console.log(JSON.stringify(info));
  else {
    const width = Math.max(...Object.values(server.accounts).map((a) => a.jid.length));
    console.log(`Prosody is running (loopback only) in ${server.dir}

  host       ${server.host}
  c2s        port ${server.c2sPort} (STARTTLS), ${server.c2sDirectTlsPort} (direct TLS, XEP-0368)
  http       port ${server.httpPort} (upload service ${server.uploadDomain}, plain http)
  rooms      ${server.mucDomain}
  CA         ${caPath}  (trust it: tls: { ca: readFileSync(path) } or NODE_EXTRA_CA_CERTS)
${Object.values(server.accounts)
  .map((a) => `  account    ${a.jid.padEnd(width)}  password ${a.password}`)
  .join("\n")}

Ctrl-C stops the server and removes ${server.dir}.`);
  }
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`clawxmpp-prosody: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
