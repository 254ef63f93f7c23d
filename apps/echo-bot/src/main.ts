#!/usr/bin/env node
/**
 * clawxmpp echo bot, the demo of the kit (see `--help` and demo-bot.ts). Without configuration it
 * starts a throwaway Prosody on loopback with a bot, an owner and a guest account and prints how
 * to log in; with XMPP_JID and XMPP_PASSWORD it connects to your server instead.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { type ClientOptions, consoleLogger, createClient } from "@clawxmpp/core";
import { startProsody } from "@clawxmpp/integration";
import { runPairingCli } from "@clawxmpp/policy";
import { HELP, logLevel, parseDemoArgs } from "./demo-args.js";
import { startDemoBot } from "./demo-bot.js";
import { forwardPort } from "./port-forward.js";

const self = `node ${process.argv[1] ?? "dist/main.js"}`;

async function main(argv: string[]): Promise<void> {
  if (argv[0] === "pairing") {
    const storeFlag = argv.indexOf("--store");
    const store = storeFlag === -1 ? defaultStore() : argv[storeFlag + 1];
    const args =
      storeFlag === -1 ? argv : argv.filter((_, i) => i !== storeFlag && i !== storeFlag + 1);
    if (!store) throw new Error("--store needs a path");
    process.exitCode = await runPairingCli(args, store);
    return;
  }
  const args = parseDemoArgs(argv);
  if (args.help) {
    console.log(HELP);
    return;
  }
  const level = logLevel(process.env.LOG_LEVEL);
  const logger = consoleLogger(level, "echo-bot");
  const log = (line: string) => logger.info(line);
  const jid = process.env.XMPP_JID;
  const password = process.env.XMPP_PASSWORD;
  const scratch = await mkdtemp(join(tmpdir(), "clawxmpp-echo-"));
  const downloadDir = process.env.DOWNLOAD_DIR ?? join(scratch, "files");

  try {
    if (jid && password) {
      const storePath = process.env.PAIRING_STORE ?? defaultStore();
      const options: ClientOptions = { jid, password, resource: "echo-bot", logger };
      if (process.env.XMPP_SERVER) options.server = process.env.XMPP_SERVER;
      if (process.env.XMPP_PORT) options.port = Number(process.env.XMPP_PORT);
      if (process.env.XMPP_CA) options.tls = { ca: await readFile(process.env.XMPP_CA, "utf8") };
      const client = createClient(options);
      startDemoBot(client, {
        owners: (process.env.XMPP_OWNERS ?? "").split(",").filter(Boolean),
        storePath,
        downloadDir,
        nickname: process.env.XMPP_NICKNAME ?? "echo-bot",
        pollInterval: 5_000,
        loopbackUploads: false,
        log,
      });
      const online = await client.start({ retryInitialConnect: true });
      console.log(`echo bot online as ${online.jid}.
Owners (XMPP_OWNERS) are echoed; anyone else gets a pairing code (logged here). Approve one with:
  ${self} pairing approve <code> --store ${storePath}
Invite the bot to a room from an owner's account and mention it there. Ctrl-C stops.`);
      await untilSignal();
      await client.stop();
      return;
    }

    const userPassword = args.password ?? randomBytes(6).toString("base64url");
    const guestPassword = args.password ?? randomBytes(6).toString("base64url");
    log("starting a throwaway Prosody on 127.0.0.1");
    const server = await startProsody({
      accounts: {
        bot: randomBytes(12).toString("base64url"),
        user: userPassword,
        guest: guestPassword,
      },
    });
    const forward =
      args.port === undefined ? undefined : await forwardPort(args.port, server.c2sPort);
    const port = args.port ?? server.c2sPort;
    const caPath = join(server.dir, "ca.crt");
    const storePath = join(server.dir, "pairing.json");
    await writeFile(caPath, server.caCert);
    const bot = server.accounts.bot!;
    const client = createClient({
      jid: bot.jid,
      password: bot.password,
      server: server.host,
      port: server.c2sPort,
      resource: "echo-bot",
      tls: { ca: server.caCert },
      logger,
    });
    startDemoBot(client, {
      owners: [`user@${server.domain}`],
      storePath,
      downloadDir,
      nickname: "echo-bot",
      pollInterval: 1_000,
      loopbackUploads: true,
      log,
    });
    await client.start();

    console.log(`
clawxmpp echo bot is running on a throwaway Prosody (loopback only).

  server     ${server.host} port ${port} (STARTTLS; direct TLS on ${server.c2sDirectTlsPort})
  owner      user@${server.domain}   password ${userPassword}   (always echoed)
  guest      guest@${server.domain}  password ${guestPassword}   (gets a pairing code first)
  the bot    ${bot.jid}
  rooms      ${server.mucDomain} (create one as the owner, invite the bot, mention "echo-bot")
  CA cert    ${caPath}  (the server certificate is self-signed for "${server.domain}": accept or pin it)

From any XMPP client on this machine (Gajim, Dino, profanity…): add an account with one of the
logins above, set the server to ${server.host} and port ${port}, accept the certificate,
and send a message to ${bot.jid}. With profanity:
  /connect user@${server.domain} server ${server.host} port ${port} tls trust
  /msg ${bot.jid} hello
Then correct your message, react to the echo, or send a file: the bot answers each in kind.

The guest receives a pairing code (also logged here). Approve it (in another terminal) with:
  ${self} pairing approve <code> --store ${storePath}

Ctrl-C stops the bot and removes the server.
`);
    await untilSignal();
    await client.stop();
    await forward?.close();
    await server.stop();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function defaultStore(): string {
  const state = process.env.XDG_STATE_HOME ?? join(homedir(), ".local", "state");
  return join(state, "clawxmpp-echo", "pairing.json");
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
  });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`echo bot failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
