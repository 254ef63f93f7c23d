/**
 * The `clawxmpp-prosody` command as a user runs it: the printed accounts, port and CA log in
 * with a real client; SIGINT stops the server and removes its directory.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";

const cli = join(dirname(fileURLToPath(import.meta.url)), "../dist/cli.js");

describe("clawxmpp-prosody", () => {
  it.skipIf(!existsSync(cli) && !process.env.CI)(
    "prints working credentials and cleans up on Ctrl-C",
    async () => {
      const proc = spawn(process.execPath, [cli, "--json", "--accounts", "me:secret,other"], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const exited = new Promise<number | null>((resolve) => proc.once("exit", resolve));
      try {
        const line = await new Promise<string>((resolve, reject) => {
          let out = "";
          proc.stdout.on("data", (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes("\n")) resolve(out.split("\n")[0] ?? "");
          });
          proc.once("exit", (code) => reject(new Error(`exited with ${code}: ${out}`)));
        });
        const info = JSON.parse(line) as {
          host: string;
          c2sPort: number;
          caPath: string;
          dir: string;
          accounts: Record<string, { jid: string; password: string }>;
        };
        expect(info.accounts.me).toEqual({ jid: "me@localhost", password: "secret" });
        expect(info.accounts.other?.password).toMatch(/^[\w-]{12}$/u);
        const client = createClient({
          jid: info.accounts.me?.jid ?? "",
          password: "secret",
          server: info.host,
          port: info.c2sPort,
          tls: { ca: await readFile(info.caPath, "utf8") },
        });
        const online = await client.start();
        expect(online.jid).toMatch(/^me@localhost\//u);
        await client.stop();

        proc.kill("SIGINT");
        expect(await exited).toBe(0);
        expect(existsSync(info.dir)).toBe(false);
      } finally {
        if (proc.exitCode === null) proc.kill("SIGKILL");
      }
    },
  );
});
