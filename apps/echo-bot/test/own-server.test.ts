/**
 * The demo on "your own server" (here a throwaway Prosody with a private CA): XMPP_JID,
 * XMPP_PASSWORD, XMPP_SERVER, XMPP_PORT, XMPP_OWNERS, PAIRING_STORE and XMPP_CA. Without
 * XMPP_CA the private CA is not trusted and the bot says so and exits.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type InboundMessage } from "@clawxmpp/core";
import { type ProsodyInstance, startProsody } from "@clawxmpp/integration";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const main = join(dirname(fileURLToPath(import.meta.url)), "../dist/main.js");

describe.skipIf(!existsSync(main) && !process.env.CI)("echo bot on your own server", () => {
  let server: ProsodyInstance;
  let dir: string;
  let caPath: string;

  beforeAll(async () => {
    server = await startProsody({ accounts: { bot: "bot-pw", owner: "owner-pw" } });
    dir = await mkdtemp(join(tmpdir(), "echo-own-server-"));
    caPath = join(dir, "private-ca.pem");
    await writeFile(caPath, server.caCert);
  });

  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (env: Record<string, string>) => {
    const proc = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        XMPP_JID: "bot@localhost",
        XMPP_PASSWORD: "bot-pw",
        XMPP_SERVER: server.host,
        XMPP_PORT: String(server.c2sPort),
        XMPP_OWNERS: "owner@localhost",
        PAIRING_STORE: join(dir, "pairing.json"),
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const checks = new Set<() => void>();
    const feed = (chunk: Buffer) => {
      out += chunk.toString();
      for (const check of checks) check();
    };
    proc.stdout.on("data", feed);
    proc.stderr.on("data", feed);
    const exited = new Promise<number | null>((resolve) => proc.once("exit", resolve));
    const output = (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(out)) resolve();
          else if (proc.exitCode !== null) reject(new Error(`exited:\n${out}`));
        };
        checks.add(check);
        void exited.then(check);
        check();
      });
    return { proc, exited, output, text: () => out };
  };

  it("trusts a private CA from XMPP_CA and echoes an owner", async () => {
    const bot = run({ XMPP_CA: caPath });
    try {
      await bot.output(/echo bot online as bot@localhost/u);
      const owner = createClient({
        jid: "owner@localhost",
        password: "owner-pw",
        server: server.host,
        port: server.c2sPort,
        tls: { ca: server.caCert },
      });
      await owner.start();
      const echoed = new Promise<InboundMessage>((resolve) => {
        const off = owner.on("message", (m) => {
          if (m.body !== "on my own server") return;
          off();
          resolve(m);
        });
      });
      await owner.send({ to: "bot@localhost", body: "on my own server" });
      expect((await echoed).from.bare).toBe("bot@localhost");
      await owner.stop();
      bot.proc.kill("SIGINT");
      expect(await bot.exited).toBe(0);
    } finally {
      if (bot.proc.exitCode === null) bot.proc.kill("SIGKILL");
    }
  });

  it("without XMPP_CA refuses the private CA's certificate and exits", async () => {
    const bot = run({});
    try {
      expect(await bot.exited).toBe(1);
      expect(bot.text()).toMatch(/echo bot failed: .*certificate/u);
    } finally {
      if (bot.proc.exitCode === null) bot.proc.kill("SIGKILL");
    }
  });
});
