/** The demo's command line and environment, parsed once; `--help` prints {@link HELP}. */

export const HELP = `clawxmpp echo bot — the demo of the clawxmpp kit (core, policy, muc, markers, upload)

usage: npm run demo [-- options]          (from a clone of the repository)
       node apps/echo-bot/dist/main.js [options]
       node apps/echo-bot/dist/main.js pairing approve|list|revoke … [--store FILE]

What it does: echoes direct messages of its owners and of approved contacts; gives strangers a
pairing code (logged here, approved with the pairing command); joins rooms an owner invites it to
and answers mentions there; echoes a correction as a correction; answers a reaction with the same
reaction; sends a file it receives back as a file.

Without XMPP_JID it starts a throwaway Prosody on 127.0.0.1 with three accounts (the bot, an owner
"user" and a stranger "guest") and prints how to log in with a desktop client.
  --port N          also listen for clients on 127.0.0.1:N (STARTTLS), e.g. 5222, so a desktop
                    client's account settings survive restarts
  --password PW     password of "user" and "guest" (default: new random ones each start)
  (the certificate is new on each start: accept it again, or trust the printed CA file)

With XMPP_JID and XMPP_PASSWORD it connects to your server instead:
  XMPP_JID          the bot's account, e.g. bot@example.org
  XMPP_PASSWORD     its password
  XMPP_SERVER       host to connect to (default: SRV records of the domain, then the domain)
  XMPP_PORT         port (default: from SRV, else 5222)
  XMPP_CA           PEM file of a private CA to trust besides the system CAs
  XMPP_OWNERS       comma-separated owners' bare JIDs (always echoed; their invitations followed)
  XMPP_NICKNAME     nickname in rooms (default: echo-bot)
  PAIRING_STORE     pairing approvals file (default: $XDG_STATE_HOME/clawxmpp-echo/pairing.json)
  DOWNLOAD_DIR      where received files are kept (default: a temp directory)
  LOG_LEVEL         debug | info | warn | error (default: info)
  CLAWXMPP_XML_TRACE=1  log every stanza in and out (see docs/logging.md)

  -h, --help        this text`;

/** Parsed `main` arguments. */
export interface DemoArgs {
  help: boolean;
  port: number | undefined;
  password: string | undefined;
}

/** Parses the demo's flags; throws with a one-line message on a mistake. */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const args: DemoArgs = { help: false, port: undefined, password: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next === "") throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === "--help" || arg === "-h") args.help = true;
    else if (arg === "--password") args.password = value();
    else if (arg === "--port") {
      const port = Number(value());
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new Error(`--port: not a TCP port "${argv[i]}"`);
      args.port = port;
    } else throw new Error(`unknown argument "${arg}" (try --help)`);
  }
  return args;
}

/** LOG_LEVEL, checked. */
export function logLevel(value: string | undefined): "debug" | "info" | "warn" | "error" {
  if (value === undefined || value === "") return "info";
  if (value === "debug" || value === "info" || value === "warn" || value === "error") return value;
  throw new Error(`LOG_LEVEL must be debug, info, warn or error (got "${value}")`);
}
