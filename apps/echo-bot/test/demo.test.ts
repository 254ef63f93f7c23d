/**
 * The demo as a user runs it: `node apps/echo-bot/dist/main.js` starts a
 * throwaway Prosody and the bot, prints credentials; another account's DM is
 * echoed back; Ctrl-C (SIGINT) stops everything and removes the server.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type InboundMessage } from "@clawxmpp/core";
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
        const password = /password\s+(\S+)/u.exec(out)?.[1] ?? "";
        const bot = /the bot\s+(\S+)/u.exec(out)?.[1] ?? "";
        const caPath = /CA cert\s+(\S+)/u.exec(out)?.[1] ?? "";
        const { readFile } = await import("node:fs/promises");
        const user = createClient({
          jid: "user@localhost",
          password,
          server: "127.0.0.1",
          port,
          tls: { ca: await readFile(caPath, "utf8") },
        });
        await user.start();
        const echoed = new Promise<InboundMessage>((resolve) => user.on("message", resolve));
        await user.send({ to: bot, body: "ping from the demo test" });
        const reply = await echoed;
        expect(reply.body).toBe("ping from the demo test");
        expect(reply.from.bare).toBe(bot);
        await user.stop();
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
