/**
 * Runs the README examples of the root, core, policy, muc, markers and upload against one real,
 * throwaway Prosody (apps/integration's fixture), each driven by a scripted client.
 *
 * An example is the first block of its README that calls `createClient(`, as tsc emitted it in
 * the scratch project. To run it unchanged against a loopback server it gets three substitutions:
 * `example.org` becomes the fixture's domain (`localhost`); the paths `/srv/bot` and
 * `/var/lib/mybot` point into the scratch directory; and `@clawxmpp/core` is imported through a
 * shim whose `createClient` keeps the example's options but connects to the fixture (host, port,
 * CA, the account's password) and lets `@clawxmpp/upload` use the fixture's http:// loopback
 * upload service. The drivers use the installed tarballs too, never the workspace sources.
 */
import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const TIMEOUT = 20_000;

const SHIM = `import * as core from "@clawxmpp/core";
export * from "@clawxmpp/core";
const server = JSON.parse(process.env.README_CHECK_SERVER ?? "{}");
export function createClient(options) {
  const user = String(options.jid).split("@")[0];
  const client = core.createClient({
    ...options,
    password: server.passwords[user],
    server: server.host,
    port: server.port,
    tls: { ...options.tls, ca: server.ca },
  });
  const use = client.use.bind(client);
  client.use = (plugin, pluginOptions) =>
    use(plugin, (plugin.pluginName ?? plugin.name) === "upload"
      ? { ...pluginOptions, allowInsecureHttp: true, allowPrivateAddresses: true }
      : pluginOptions);
  client.on("online", () => console.log("readme-check: online " + client.jid?.full));
  clients.push(client);
  return client;
}
// The driver stops an example with SIGTERM: close its sessions cleanly, so the server does not
// keep a hibernating XEP-0198 session that would receive the next example's messages.
const clients = [];
process.once("SIGTERM", () => {
  Promise.allSettled(clients.map((c) => c.stop())).then(() => process.exit(0));
});
`;

/** The scenario of each README (by package directory name, "root" for the repository's). */
const scenarios = {
  async root({ example, login }) {
    const alice = await login("alice");
    const bot = await example.online;
    const echoed = alice.next((m) => m.from.bare === "bot@localhost" && m.body === "ping");
    await alice.client.send({ to: bot, body: "ping" });
    await echoed;
  },

  async core({ example, login }) {
    const alice = await login("alice");
    const hello = alice.next((m) => m.from.bare === "bot@localhost" && m.body === "hello");
    example.start();
    await hello;
    const code = await example.exited;
    if (code !== 0) throw new Error(`the example exited with ${code}`);
  },

  async policy({ example, login }) {
    const me = await login("me");
    const alice = await login("alice");
    const bot = await example.online;
    const echo = me.next((m) => m.body === "echo: hi");
    await me.client.send({ to: bot, body: "hi" });
    await echo;
    const code = alice.next((m) => /\b[A-HJKMNP-Z2-9]{8}\b/u.test(m.body ?? ""));
    await alice.client.send({ to: bot, body: "hello" });
    await code;
    await example.output(/ignored alice@localhost/u);
  },

  async muc({ example, login, pkg }) {
    const { muc } = await pkg("@clawxmpp/muc");
    await example.output(/in lounge@conference\.localhost as bot/u);
    const alice = await login("alice", (client) =>
      client.use(muc, { nickname: "alice", rooms: ["lounge@conference.localhost"] }),
    );
    const rooms = alice.plugin;
    await new Promise((resolve) => rooms.once("joined", resolve));
    const answer = alice.next(
      (m) => m.from.full === "lounge@conference.localhost/bot" && m.body === "alice: hello",
    );
    await rooms.sendToRoom("lounge@conference.localhost", "bot: ping");
    await answer;
    await example.output(/in team@conference\.localhost as helper/u);
  },

  async markers({ example, login, pkg }) {
    const { markers } = await pkg("@clawxmpp/markers");
    const alice = await login("alice", (client) => client.use(markers, {}));
    const reactions = [];
    let removedOn = () => {};
    alice.plugin.on("reaction", (e) => {
      reactions.push(e);
      if (e.emojis.length === 0) removedOn(e.targetId);
    });
    const bot = await example.online;
    // One full round first (👀, reply, correction, reaction removed), which also proves the
    // example's session is completely set up (carbons enabled).
    const round = async (body) => {
      const done = alice.next((m) => m.body === "Done!" && m.markers?.correction !== undefined);
      const working = alice.next((m) => m.body?.includes("Working on it…") === true);
      const { id } = await alice.client.send({ to: bot, body });
      const removed = new Promise((resolve) => {
        removedOn = (target) => target === id && resolve();
      });
      await Promise.all([working, done, removed]);
      return id;
    };
    const first = await round("hi");
    // The bot's account used by hand from another client: the example sees a sent carbon and
    // must not answer it. Its handling would start before the next round's, so once that round
    // is complete, any reaction to the carbon would have arrived.
    const phone = await login("bot");
    const byHand = alice.next((m) => m.body === "typed by hand");
    const { id: handId } = await phone.client.send({
      to: "alice@localhost",
      body: "typed by hand",
    });
    await byHand;
    const second = await round("hi again");
    const wrong = reactions.filter((r) => r.targetId !== first && r.targetId !== second);
    if (wrong.length > 0 || reactions[0]?.emojis[0] !== "👀")
      throw new Error(
        `reactions ${JSON.stringify(reactions.map((r) => [r.targetId, r.emojis]))}; expected 👀 then none on ${first} and ${second}, never on the carbon ${handId}`,
      );
  },

  async upload({ example, login, pkg, fs }) {
    const { upload } = await pkg("@clawxmpp/upload");
    const report = Buffer.from("%PDF-1.4\n% readme-check report\n");
    await mkdir(join(fs, "outbox"), { recursive: true });
    await writeFile(join(fs, "outbox", "report.pdf"), report);
    const alice = await login("alice", (client) =>
      client.use(upload, { allowInsecureHttp: true, allowPrivateAddresses: true }),
    );
    const received = alice.next((m) => m.from.bare === "bot@localhost" && m.attachments?.length);
    example.start();
    const message = await received;
    const url = message.attachments[0].url;
    const fetched = Buffer.from(await (await fetch(url)).arrayBuffer());
    if (!fetched.equals(report)) throw new Error(`${url} does not serve the sent file`);
    const photo = Buffer.from("a file alice sends to the bot");
    await alice.plugin.sendFile(message.from.full, photo, { name: "note.txt" });
    const line = await example.output(new RegExp(`${escapeRegExp(join(fs, "inbox"))}/\\S+`, "u"));
    const saved = await readFile(line[0]);
    if (!saved.equals(photo)) throw new Error(`${line[0]} is not the file alice sent`);
  },
};

/** Runs every scenario; prints one line each and the output of failures. */
export async function runScenarios({ root, scratch, blocks, step }) {
  const { startProsody } = await import(
    pathToFileURL(join(root, "apps/integration/dist/index.js")).href
  );
  const pkg = (name) =>
    import(pathToFileURL(join(scratch, "node_modules", name, "dist/index.js")).href);
  const { createClient } = await pkg("@clawxmpp/core");
  const users = ["bot", "alice", "me", "owner"];
  const passwords = Object.fromEntries(users.map((u) => [u, `pw-${u}-${Math.random()}`]));
  const server = await startProsody({ accounts: passwords });
  const env = JSON.stringify({
    host: server.host,
    port: server.c2sPort,
    ca: server.caCert,
    passwords,
  });
  const runDir = join(scratch, "run");
  await mkdir(runDir, { recursive: true });
  await writeFile(join(runDir, "shim-core.mjs"), SHIM);
  const results = [];
  try {
    for (const [name, scenario] of Object.entries(scenarios)) {
      const block = blocks.find((b) => b.readme === name && b.code.includes("createClient("));
      if (!block) {
        results.push({ name, ok: false });
        console.error(`  ✗ ${name}: no README block calls createClient(`);
        continue;
      }
      const fs = join(scratch, "fs", name);
      await mkdir(fs, { recursive: true });
      const emitted = await readFile(
        join(scratch, "dist", block.file.replace(/\.ts$/u, ".js")),
        "utf8",
      );
      const script = join(runDir, block.file.replace(/\.ts$/u, ".mjs"));
      await writeFile(
        script,
        emitted
          .replaceAll('"@clawxmpp/core"', '"./shim-core.mjs"')
          .replaceAll("example.org", "localhost")
          .replaceAll("/srv/bot", fs)
          .replaceAll("/var/lib/mybot", fs),
      );
      const example = exampleProcess(script, scratch, env);
      const clients = [];
      const login = async (user, withPlugin) => {
        const client = createClient({
          jid: `${user}@localhost`,
          password: passwords[user],
          server: server.host,
          port: server.c2sPort,
          resource: `driver-${name}`,
          tls: { ca: server.caCert },
        });
        const plugin = withPlugin?.(client);
        clients.push(client);
        await client.start();
        return { client, plugin, next: (match) => nextMessage(client, match) };
      };
      const t0 = Date.now();
      pending.clear();
      try {
        await withTimeout(
          scenario({ example, login, pkg, fs, server }),
          TIMEOUT,
          `${name} scenario`,
        );
        results.push({ name, ok: true });
        step(
          `✓ ${name} README example (${block.readme}-L${block.line}) ran in ${Date.now() - t0} ms`,
        );
      } catch (error) {
        results.push({ name, ok: false });
        console.error(
          `  ✗ ${name} README example (${block.path}:${block.line}): ${error.message}\n--- example output ---\n${example.text()}`,
        );
      } finally {
        await Promise.all(clients.map((c) => c.stop().catch(() => {})));
        await example.kill();
      }
    }
  } finally {
    await server.stop();
  }
  return results;
}

/** The example as a child process; started lazily so a scenario can prepare first. */
function exampleProcess(script, cwd, env) {
  let child;
  let out = "";
  const waiters = new Set();
  let exitCode;
  let onExit;
  const exited = new Promise((resolve) => {
    onExit = resolve;
  });
  const start = () => {
    if (child) return;
    child = spawn(process.execPath, [script], {
      cwd,
      env: { ...process.env, README_CHECK_SERVER: env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const feed = (chunk) => {
      out += chunk.toString();
      for (const w of waiters) w();
    };
    child.stdout.on("data", feed);
    child.stderr.on("data", feed);
    child.once("exit", (code, signal) => {
      exitCode = code ?? signal;
      onExit(exitCode);
      for (const w of waiters) w();
    });
  };
  const output = (pattern) => {
    start();
    const what = `output ${pattern}`;
    pending.add(what);
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(out);
        if (m) {
          pending.delete(what);
          waiters.delete(check);
          resolve(m);
        } else if (exitCode !== undefined) {
          waiters.delete(check);
          reject(new Error(`the example exited (${exitCode}) before printing ${pattern}`));
        }
      };
      waiters.add(check);
      check();
    });
  };
  return {
    start,
    output,
    /** Resolves with the example bot's full JID once it is online. */
    get online() {
      return output(/readme-check: online (bot@localhost\/\S+)/u).then((m) => m[1]);
    },
    get exited() {
      start();
      return exited;
    },
    text: () => out,
    async kill() {
      if (!child || exitCode !== undefined) return;
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** What the running scenario still waits for, named in its timeout error. */
const pending = new Set();

function nextMessage(client, match) {
  const what = `a message ${match.toString()}`;
  pending.add(what);
  return new Promise((resolve) => {
    const off = client.on("message", (message) => {
      if (!match(message)) return;
      off();
      pending.delete(what);
      resolve(message);
    });
  });
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} timed out after ${ms} ms waiting for ${[...pending]}`)),
        ms,
      );
    }),
  ]);
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&");
}
