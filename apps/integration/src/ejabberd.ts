/**
 * A throwaway ejabberd 24.12 with the same instance interface as the Prosody
 * fixture: own config and `ejabberdctl.cfg` in a temp dir, free loopback ports,
 * Erlang distribution on a loopback port without epmd, the VM run as the
 * `ejabberd` user (ejabberdctl refuses anyone else but root, and as root it
 * would switch users through `su`, hiding the VM's PID from signals).
 * Accounts are created over mod_http_api from loopback: a control-script call
 * starts a second Erlang VM (~1 s) per account.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chown, copyFile, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ejabberdConfig, ejabberdCtlConfig, ejabberdVmArgs } from "./ejabberd-config.js";
import type { ProsodyOptions } from "./prosody.js";
import { readyOrThrow } from "./readiness.js";
import { killOnExit } from "./running-servers.js";
import { ejabberdProgram } from "./server-binaries.js";
import { serverInstance } from "./server-instance.js";
import type { XmppServer } from "./server-kind.js";
import { accountRegistry, prepareServer } from "./server-setup.js";

/** Starts a throwaway ejabberd. `extraGlobal` (Prosody Lua) is refused. */
export async function startEjabberd(options: ProsodyOptions = {}): Promise<XmppServer> {
  if (options.extraGlobal) throw new Error("extraGlobal is Prosody Lua; ejabberd does not take it");
  const program = ejabberdProgram();
  const user = systemUser("ejabberd");
  const server = await prepareServer(options, {
    root: tmpdir(),
    prefix: "clawxmpp-ejabberd-",
    extraPorts: 1,
  });
  const { dir, domain, c2sPort, httpPort } = server.config;
  const distPort = server.extraPorts[0] as number;
  for (const sub of ["log", "spool", "upload"]) await mkdir(join(dir, sub));
  const input = { ...server.config, distPort, node: `clawxmpp${distPort}@localhost` } as const;
  await writeFile(join(dir, "ejabberd.yml"), ejabberdConfig(input));
  await writeFile(join(dir, "ejabberdctl.cfg"), ejabberdCtlConfig(input));
  await writeFile(join(dir, "vm.args"), ejabberdVmArgs());
  await copyFile("/etc/ejabberd/inetrc", join(dir, "inetrc")).catch(() =>
    writeFile(join(dir, "inetrc"), '{lookup,["file","native"]}.\n'),
  );
  if (user) await chownTree(dir, user.uid, user.gid);

  const pidfile = join(dir, "ejabberd.pid");
  const logFile = join(dir, "log", "ejabberd.log");
  let child: ChildProcess | undefined;
  let vmPid: number | undefined;
  const launch = async () => {
    await rm(pidfile, { force: true });
    const proc = spawn(
      program.ejabberdctl,
      [
        "--config-dir",
        dir,
        "--config",
        join(dir, "ejabberd.yml"),
        "--ctl-config",
        join(dir, "ejabberdctl.cfg"),
        "--logs",
        join(dir, "log"),
        "--spool",
        join(dir, "spool"),
        "foreground",
      ],
      {
        stdio: ["ignore", "ignore", "pipe"],
        cwd: dir,
        // HOME holds the Erlang cookie; the instance's own directory keeps it private to the run.
        env: { ...process.env, HOME: dir },
        ...(user ? { uid: user.uid, gid: user.gid } : {}),
      },
    );
    killOnExit(proc, () => vmPid);
    child = proc;
    const probe = { proc, pidfile, expectedPid: undefined, port: c2sPort, domain, ms: 30_000 };
    vmPid = await readyOrThrow("ejabberd", probe, logFile);
  };
  const terminate = async (signal: NodeJS.Signals) => {
    const proc = child;
    const pid = vmPid;
    child = undefined;
    vmPid = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    const signalVm = (s: NodeJS.Signals) => {
      try {
        if (pid !== undefined) process.kill(pid, s);
      } catch {
        // already gone
      }
    };
    signalVm("SIGCONT");
    // The Erlang VM shuts down cleanly on SIGTERM (init:stop/0); the control script then exits.
    signalVm(signal);
    const timer = setTimeout(() => {
      signalVm("SIGKILL");
      proc.kill("SIGKILL");
    }, 10_000);
    await exited;
    clearTimeout(timer);
  };

  const registry = accountRegistry(domain, async (name, password) => {
    const response = await fetch(`http://127.0.0.1:${httpPort}/api/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: name, host: domain, password }),
    });
    if (!response.ok) {
      throw new Error(
        `ejabberd refused account ${name}: HTTP ${response.status} ${await response.text()}`,
      );
    }
  });

  await launch();
  await registry.createAll(options.accounts);
  return serverInstance(server, {
    ...registry,
    kind: "ejabberd",
    version: program.version,
    logFile,
    launch,
    terminate,
    pid: () => vmPid,
  });
}

/** The uid/gid of `name` when we run as root (the VM then runs as that user), else undefined. */
function systemUser(name: string): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = execFileSync("getent", ["passwd", name], { encoding: "utf8" }).split(":");
  return { uid: Number(line[2]), gid: Number(line[3]) };
}

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await chown(dir, uid, gid);
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    await chown(join(entry.parentPath, entry.name), uid, gid);
  }
}
