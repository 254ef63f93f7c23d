/**
 * The demo as a user runs it: `node apps/echo-bot/dist/main.js --port N --password P` starts a
 * throwaway Prosody and the bot and prints the logins; scripted clients (with the same plugins a
 * desktop client speaks) then exercise every behaviour: DM echo, pairing with the code logged for
 * the operator, correction answered as a correction, reaction answered with a reaction, a file
 * sent back as a file, an owner's room invitation followed and a mention answered there (a
 * stranger's ignored); Ctrl-C (SIGINT) stops everything and removes the server.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Client, createClient, type InboundMessage, xml } from "@clawxmpp/core";
import { freePorts } from "@clawxmpp/integration";
import { type MarkersHandle, markers } from "@clawxmpp/markers";
import { type MucHandle, muc } from "@clawxmpp/muc";
import { type UploadHandle, upload } from "@clawxmpp/upload";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const main = join(dirname(fileURLToPath(import.meta.url)), "../dist/main.js");
const BOT = "bot@localhost";

interface Person {
  client: Client;
  signals: MarkersHandle;
  rooms: MucHandle;
  files: UploadHandle;
}

describe.skipIf(!existsSync(main) && !process.env.CI)("echo bot demo", () => {
  let proc: ChildProcess;
  let out = "";
  let exited: Promise<number | null>;
  let port = 0;
  let ca = "";
  let storePath = "";
  let serverDir = "";
  const people: Client[] = [];

  /** Resolves with the first match of `pattern` in the demo's output from now on. */
  const output = (pattern: RegExp, from = 0): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(out.slice(from));
        if (m) {
          proc.stdout?.off("data", check);
          proc.stderr?.off("data", check);
          resolve(m);
        } else if (proc.exitCode !== null) reject(new Error(`demo exited:\n${out}`));
      };
      proc.stdout?.on("data", check);
      proc.stderr?.on("data", check);
      check();
    });

  const login = async (user: string): Promise<Person> => {
    const client = createClient({
      jid: `${user}@localhost`,
      password: "demo-test-pw",
      server: "127.0.0.1",
      port,
      resource: `test-${people.length}`, // one session per login: a reused resource replaces the other
      tls: { ca },
    });
    const rooms = client.use(muc, { nickname: user });
    const signals = client.use(markers, {});
    const files = client.use(upload, { allowInsecureHttp: true, allowPrivateAddresses: true });
    people.push(client);
    await client.start();
    return { client, signals, rooms, files };
  };

  beforeAll(async () => {
    [port] = (await freePorts(1)) as [number];
    proc = spawn(process.execPath, [main, "--port", String(port), "--password", "demo-test-pw"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const collect = (chunk: Buffer) => {
      out += chunk.toString();
    };
    proc.stdout?.on("data", collect);
    proc.stderr?.on("data", collect);
    exited = new Promise((resolve) => proc.once("exit", (code) => resolve(code)));
    await output(/Ctrl-C stops the bot/u);
    expect(Number(/port (\d+) \(STARTTLS/u.exec(out)?.[1])).toBe(port);
    const caPath = /CA cert\s+(\S+)/u.exec(out)?.[1] ?? "";
    ca = await readFile(caPath, "utf8");
    storePath = /--store (\S+)/u.exec(out)?.[1] ?? "";
    serverDir = dirname(caPath);
  });

  afterAll(async () => {
    if (process.env.DEMO_TEST_LOG) await writeFile(process.env.DEMO_TEST_LOG, out);
    await Promise.all(people.map((c) => c.stop()));
    if (proc.exitCode === null) proc.kill("SIGKILL");
  });

  it("echoes the owner, and answers a correction with a correction", async () => {
    const owner = await login("user");
    const echo = nextMessage(owner.client, (m) => m.from.bare === BOT && m.body === "helo");
    const { id: original } = await owner.client.send({ to: BOT, body: "helo" });
    const echoed = await echo;

    const corrected = nextMessage(owner.client, (m) => m.markers?.correction !== undefined);
    await owner.signals.correct(BOT, original, "hello", { type: "chat" });
    const correction = await corrected;
    expect(correction.body).toBe("hello");
    expect(correction.markers?.correction?.replaces).toBe(echoed.id);
  });

  it("answers a reaction with the same reaction", async () => {
    const owner = await login("user");
    const echo = nextMessage(owner.client, (m) => m.from.bare === BOT && m.body === "react to me");
    await owner.client.send({ to: BOT, body: "react to me" });
    const target = owner.signals.targetIdFor(await echo) ?? "";
    const answered = new Promise<{ targetId: string; emojis: readonly string[] }>((resolve) => {
      const off = owner.signals.on("reaction", (e) => {
        if (e.from.bare !== BOT) return;
        off();
        resolve(e);
      });
    });
    await owner.signals.react(BOT, target, ["👍"], { type: "chat" });
    expect(await answered).toMatchObject({ targetId: target, emojis: ["👍"] });
  });

  it("sends a received file back as a file (XEP-0363 + OOB)", async () => {
    const owner = await login("user");
    const bytes = Buffer.from("a note for the echo bot\n");
    const back = nextMessage(owner.client, (m) => m.from.bare === BOT && !!m.attachments?.length);
    await owner.files.sendFile(BOT, bytes, { name: "note.txt" });
    const message = await back;
    const url = message.attachments?.[0]?.url ?? "";
    expect(message.body).toBe(url);
    expect(Buffer.from(await (await fetch(url)).arrayBuffer())).toEqual(bytes);
    await output(/sent user@localhost's file note\.txt \(24 bytes\) back/u);
  });

  it("gives a stranger a pairing code, logs it, and echoes once approved", async () => {
    const guest = await login("guest");
    const mark = out.length;
    const codeMessage = nextMessage(guest.client, (m) => m.from.bare === BOT && !!m.body);
    await guest.client.send({ to: BOT, body: "hello?" });
    const logged = await output(/pairing code for guest@localhost: (\S+)/u, mark);
    const code = logged[1] ?? "";
    expect((await codeMessage).body).toContain(code);

    const greeted = nextMessage(guest.client, (m) => m.from.bare === BOT && !!m.body);
    const cli = spawnSync(
      process.execPath,
      [main, "pairing", "approve", code, "--store", storePath],
      {
        encoding: "utf8",
      },
    );
    expect(cli.status).toBe(0);
    await greeted;
    const echo = nextMessage(guest.client, (m) => m.body === "now echo me");
    await guest.client.send({ to: BOT, body: "now echo me" });
    await echo;
  });

  it("follows the owner's room invitation (not a stranger's) and answers mentions there", async () => {
    const owner = await login("user");
    const guest = await login("guest");
    const ownersRoom = "owners@conference.localhost";
    const guestsRoom = "guests@conference.localhost";
    await guest.rooms.join(guestsRoom);
    const mark = out.length;
    await invite(guest.client, guestsRoom);
    await output(/invitation to guests@conference\.localhost from guest@localhost/u, mark);

    await owner.rooms.join(ownersRoom);
    const botJoined = new Promise<void>((resolve) => {
      const off = owner.rooms.on("occupantJoined", ({ room, nick }) => {
        if (room !== ownersRoom || nick !== "echo-bot") return;
        off();
        resolve();
      });
    });
    await invite(owner.client, ownersRoom);
    await botJoined;
    const answer = nextMessage(
      owner.client,
      (m) => m.from.full === `${ownersRoom}/echo-bot` && m.muc?.isHistory === false,
    );
    await owner.rooms.sendToRoom(ownersRoom, "echo-bot: are you there?");
    expect((await answer).body).toBe("user: echo-bot: are you there?");
    expect(guest.rooms.occupants(guestsRoom).map((o) => o.nick)).not.toContain("echo-bot");
  });

  it("stops on Ctrl-C and removes the server", async () => {
    await Promise.all(people.splice(0).map((c) => c.stop()));
    proc.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(existsSync(serverDir)).toBe(false);
  });
});

function nextMessage(
  client: Client,
  match: (message: InboundMessage) => boolean,
): Promise<InboundMessage> {
  return new Promise((resolve) => {
    const off = client.on("message", (message) => {
      if (!match(message)) return;
      off();
      resolve(message);
    });
  });
}

/** XEP-0045 §7.8.2 mediated invitation of the bot, sent through the room. */
function invite(from: Client, room: string): Promise<unknown> {
  return from.send({
    to: room,
    type: "normal",
    children: [
      xml("x", { xmlns: "http://jabber.org/protocol/muc#user" }, xml("invite", { to: BOT })),
    ],
  });
}
