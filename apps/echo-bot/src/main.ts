#!/usr/bin/env node
/**
 * clawxmpp echo bot. Without configuration it starts a throwaway Prosody on
 * loopback with a bot, an owner and a guest account and prints how to log in;
 * with XMPP_JID and XMPP_PASSWORD it connects to your server instead.
 * Access is decided by @clawxmpp/policy: owners are echoed, strangers get a
 * pairing code the operator approves with `clawxmpp-echo pairing approve <code>`.
 */
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { consoleLogger, createClient } from "@clawxmpp/core";
import { startProsody } from "@clawxmpp/integration";
import { policy, runPairingCli } from "@clawxmpp/policy";
import { echoDirectMessages } from "./echo.js";

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
  const logger = consoleLogger(process.env.LOG_LEVEL === "debug" ? "debug" : "info", "echo-bot");
  const jid = process.env.XMPP_JID;
  const password = process.env.XMPP_PASSWORD;

  if (jid && password) {
    const storePath = process.env.PAIRING_STORE ?? defaultStore();
    const client = createClient({
      jid,
      password,
      server: process.env.XMPP_SERVER,
      port: process.env.XMPP_PORT ? Number(process.env.XMPP_PORT) : undefined,
      resource: "echo-bot",
      logger,
    });
    const access = client.use(policy, {
      allowFrom: (process.env.XMPP_OWNERS ?? "").split(",").filter(Boolean),
      storePath,
    });
    echoDirectMessages(client, access, (line) => logger.info(line));
    const online = await client.start({ retryInitialConnect: true });
    console.log(`echo bot online as ${online.jid}.
Owners (XMPP_OWNERS) are echoed; anyone else gets a pairing code. Approve one with:
  ${self} pairing approve <code> --store ${storePath}
Ctrl-C stops.`);
    await untilSignal();
    await client.stop();
    return;
  }

  const userPassword = randomBytes(6).toString("base64url");
  const guestPassword = randomBytes(6).toString("base64url");
  const server = await startProsody({
    accounts: {
      bot: randomBytes(12).toString("base64url"),
      user: userPassword,
      guest: guestPassword,
    },
  });
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
  const access = client.use(policy, {
    allowFrom: [`user@${server.domain}`],
    storePath,
    pollInterval: 1_000,
  });
  echoDirectMessages(client, access, (line) => logger.info(line));
  await client.start();

  console.log(`
clawxmpp echo bot is running on a throwaway Prosody (loopback only).

  server     ${server.host} port ${server.c2sPort} (STARTTLS; direct TLS on ${server.c2sDirectTlsPort})
  owner      user@${server.domain}   password ${userPassword}   (always echoed)
  guest      guest@${server.domain}  password ${guestPassword}   (gets a pairing code first)
  the bot    ${bot.jid}
  CA cert    ${caPath}  (the server certificate is self-signed for "${server.domain}": accept or pin it)

From any XMPP client on this machine (Gajim, Dino, profanity…): add an account with one of the
logins above, set the server to ${server.host} and port ${server.c2sPort}, accept the certificate,
and send a message to ${bot.jid}. With profanity:
  /connect user@${server.domain} server ${server.host} port ${server.c2sPort} tls trust
  /msg ${bot.jid} hello

The guest receives a pairing code. Approve it (in another terminal) with:
  ${self} pairing approve <code> --store ${storePath}

Ctrl-C stops the bot and removes the server.
`);
  await untilSignal();
  await client.stop();
  await server.stop();
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
