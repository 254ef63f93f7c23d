#!/usr/bin/env node
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
/**
 * clawxmpp echo bot. Without configuration it starts a throwaway Prosody on
 * loopback with a bot and a user account and prints how to log in; with
 * XMPP_JID and XMPP_PASSWORD it connects to your server instead.
 */
import { consoleLogger, createClient } from "@clawxmpp/core";
import { startProsody } from "@clawxmpp/integration";
import { echoDirectMessages } from "./echo.js";

async function main(): Promise<void> {
  const logger = consoleLogger(process.env.LOG_LEVEL === "debug" ? "debug" : "info", "echo-bot");
  const jid = process.env.XMPP_JID;
  const password = process.env.XMPP_PASSWORD;

  if (jid && password) {
    const client = createClient({
      jid,
      password,
      server: process.env.XMPP_SERVER,
      port: process.env.XMPP_PORT ? Number(process.env.XMPP_PORT) : undefined,
      resource: "echo-bot",
      logger,
    });
    echoDirectMessages(client, (m) => logger.info("echoed", { to: m.from.bare }));
    const online = await client.start({ retryInitialConnect: true });
    console.log(`echo bot online as ${online.jid}; send it a message. Ctrl-C stops.`);
    await untilSignal();
    await client.stop();
    return;
  }

  const userPassword = randomBytes(6).toString("base64url");
  const server = await startProsody({
    accounts: { bot: randomBytes(12).toString("base64url"), user: userPassword },
  });
  const caPath = join(server.dir, "ca.crt");
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
  echoDirectMessages(client, (m) => logger.info("echoed", { to: m.from.bare }));
  await client.start();

  console.log(`
clawxmpp echo bot is running on a throwaway Prosody (loopback only).

  server     ${server.host} port ${server.c2sPort} (STARTTLS; direct TLS on ${server.c2sDirectTlsPort})
  log in as  user@${server.domain}
  password   ${userPassword}
  the bot    ${bot.jid}
  CA cert    ${caPath}  (the server certificate is self-signed for "${server.domain}": accept or pin it)

From any XMPP client on this machine (Gajim, Dino, profanity…): add an account
user@${server.domain} with the password above, set the server to ${server.host} and port
${server.c2sPort}, accept the certificate, and send a message to ${bot.jid}.
With profanity:
  /connect user@${server.domain} server ${server.host} port ${server.c2sPort} tls trust
  /msg ${bot.jid} hello

Ctrl-C stops the bot and removes the server.
`);
  await untilSignal();
  await client.stop();
  await server.stop();
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

main().catch((error: unknown) => {
  console.error(`echo bot failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
