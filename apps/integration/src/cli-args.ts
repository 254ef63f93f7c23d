/** Command line of `clawxmpp-prosody` (see cli.ts): parsed once, every mistake named. */

/** What the command was asked to do. */
export interface CliArgs {
  help: boolean;
  json: boolean;
  domain: string;
  /** User name → password (a random one when the command line gave none). */
  accounts: Record<string, string>;
}

export const CLI_USAGE = `usage: clawxmpp-prosody [--accounts alice,bob:secret,…] [--domain localhost] [--json]

Starts a throwaway Prosody on free loopback ports (127.0.0.1 only) for your own tests: a fresh
directory, a throwaway CA and server certificate, MUC (conference.<domain>) and HTTP upload
(upload.<domain>). Prints the accounts, ports and the CA file; Ctrl-C stops it and removes
everything.

  --accounts LIST  user[:password],… (default alice,bob,bot; passwords random unless given)
  --domain NAME    XMPP domain (default localhost; the certificate covers it and *.NAME)
  --json           print one JSON line instead of the text (for scripts)
  --help           this text`;

/** Parses argv (without node and the script); throws an Error with a one-line message. */
export function parseCliArgs(argv: readonly string[], password: () => string): CliArgs {
  const args: CliArgs = { help: false, json: false, domain: "localhost", accounts: {} };
  let accounts = "alice,bob,bot";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith("--")) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === "--help" || arg === "-h") args.help = true;
    else if (arg === "--json") args.json = true;
    else if (arg === "--domain") args.domain = value();
    else if (arg === "--accounts") accounts = value();
    else throw new Error(`unknown argument "${arg}"`);
  }
  if (!/^[a-z0-9.-]+$/u.test(args.domain))
    throw new Error(`--domain: not a domain "${args.domain}"`);
  for (const entry of accounts.split(",").filter(Boolean)) {
    const [user = "", given] = entry.split(/:(.*)/su);
    if (!/^[a-z0-9._-]+$/u.test(user)) throw new Error(`--accounts: not a user name "${user}"`);
    args.accounts[user] = given === undefined || given === "" ? password() : given;
  }
  if (Object.keys(args.accounts).length === 0) throw new Error("--accounts: no account");
  return args;
}
