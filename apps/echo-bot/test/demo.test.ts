/**
 * The demo as a user runs it: `node apps/echo-bot/dist/main.js` starts a
 * throwaway Prosody and the bot, prints credentials; another account's DM is
 * echoed back; Ctrl-C (SIGINT) stops everything and removes the server.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Client, createClient } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";

const main = join(dirname(fileURLToPath(import.meta.url)), "../dist/main.js");

describe("echo bot demo", () => {
  it.skipIf(!existsSync(main) && !process.env.CI)(
    "starts on an embedded Prosody and echoes a DM",
    async () => {
      const proc = spawn(process.execPath, [main], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      proc.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
      proc.stderr.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) =>
        proc.once("exit", (code) => resolve(code)),
      );
      try {
        const deadline = Date.now() + 30_000;
        while (!/Ctrl-C stops/u.test(out)) {
          if (Date.now() > deadline || proc.exitCode !== null)
            throw new Error(`demo did not start:\n${out}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const port = Number(/port (\d+) \(STARTTLS/u.exec(out)?.[1]);
        const ownerPassword = /owner\s+\S+\s+password (\S+)/u.exec(out)?.[1] ?? "";
        const guestPassword = /guest\s+\S+\s+password (\S+)/u.exec(out)?.[1] ?? "";
        const bot = /the bot\s+(\S+)/u.exec(out)?.[1] ?? "";
        const caPath = /CA cert\s+(\S+)/u.exec(out)?.[1] ?? "";
        const storePath = /--store (\S+)/u.exec(out)?.[1] ?? "";
        const ca = await readFile(caPath, "utf8");
        const login = (user: string, password: string) =>
          createClient({
            jid: `${user}@localhost`,
            password,
            server: "127.0.0.1",
            port,
            tls: { ca },
          });

        // The owner is echoed at once.
        const owner = login("user", ownerPassword);
        await owner.start();
        const echoed = nextBody(owner);
        await owner.send({ to: bot, body: "ping from the demo test" });
        expect(await echoed).toBe("ping from the demo test");
        await owner.stop();

        // A guest gets a pairing code, the operator approves it with the printed command, then the guest is echoed.
        const guest = login("guest", guestPassword);
        await guest.start();
        const codeMessage = nextBody(guest);
        await guest.send({ to: bot, body: "hello?" });
        const code = /\b([A-HJKMNP-Z2-9]{8})\b/u.exec(await codeMessage)?.[1];
        expect(code).toBeDefined();
        const greeted = nextBody(guest);
        const cli = spawnSync(
          process.execPath,
          [main, "pairing", "approve", code ?? "", "--store", storePath],
          { encoding: "utf8" },
        );
        expect(cli.status).toBe(0);
        await greeted;
        const echoedGuest = nextBody(guest, (body) => body === "now echo me");
        await guest.send({ to: bot, body: "now echo me" });
        expect(await echoedGuest).toBe("now echo me");
        await guest.stop();

        const serverDir = dirname(caPath);
        proc.kill("SIGINT");
        expect(await exited).toBe(0);
        expect(existsSync(serverDir)).toBe(false);
      } finally {
        if (proc.exitCode === null) proc.kill("SIGKILL");
      }
    },
  );
});

function nextBody(client: Client, match: (body: string) => boolean = () => true): Promise<string> {
  return new Promise((resolve) => {
    const off = client.on("message", (message) => {
      if (message.body === undefined || !match(message.body)) return;
      off();
      resolve(message.body);
    });
  });
}
