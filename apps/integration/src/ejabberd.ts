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
import {
  chown,
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeCertificates } from "./certs.js";
import { ejabberdConfig, ejabberdCtlConfig, ejabberdVmArgs } from "./ejabberd-config.js";
import { freePorts } from "./ports.js";
import type { ProsodyOptions } from "./prosody.js";
import { tail, waitReady } from "./readiness.js";
import { killOnExit } from "./running-servers.js";
import { ejabberdProgram } from "./server-binaries.js";
import { serverInstance } from "./server-instance.js";
import type { XmppServer } from "./server-kind.js";

/** Starts a throwaway ejabberd. `extraGlobal` (Prosody Lua) is refused. */
export async function startEjabberd(options: ProsodyOptions = {}): Promise<XmppServer> {
  if (options.extraGlobal) throw new Error("extraGlobal is Prosody Lua; ejabberd does not take it");
  const program = ejabberdProgram();
  const user = systemUser("ejabberd");
  const domain = options.domain ?? "localhost";
  const dir = await mkdtemp(join(tmpdir(), "clawxmpp-ejabberd-"));
  for (const sub of ["log", "spool", "upload"]) await mkdir(join(dir, sub));
  const certs = await makeCertificates(dir, domain);
  const [c2sPort, c2sDirectTlsPort, httpPort, distPort] = (await freePorts(4)) as [
    number,
    number,
    number,
    number,
  ];
  const input = {
    dir,
    domain,
    c2sPort,
    c2sDirectTlsPort,
    httpPort,
    distPort,
    node: `clawxmpp${distPort}@localhost`,
    cert: certs.cert,
    key: certs.key,
    tls: options.tls ?? "required",
    mam: options.mam ?? true,
    smacksHibernationSeconds: options.smacksHibernationSeconds ?? 60,
    uploadSizeLimit: options.uploadSizeLimit ?? 1024 * 1024,
    components: options.components,
  } as const;
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
    let stderr = "";
    proc.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    killOnExit(proc, () => vmPid);
    child = proc;
    try {
      vmPid = await waitReady({
        proc,
        pidfile,
        expectedPid: undefined,
        port: c2sPort,
        domain,
        ms: 30_000,
      });
    } catch (error) {
      proc.kill("SIGKILL");
      const log = await tail(logFile, 30);
      throw new Error(
        `ejabberd did not start: ${(error as Error).message}\n--- stderr ---\n${stderr}\n--- log ---\n${log}`,
      );
    }
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

  const accounts: XmppServer["accounts"] = {};
  const createAccount = async (name: string, password: string) => {
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
    const account = { jid: `${name}@${domain}`, password };
    accounts[name] = account;
    return account;
  };

  await launch();
  for (const [name, password] of Object.entries(
    options.accounts ?? { alice: "alice", bob: "bob", bot: "bot" },
  )) {
    await createAccount(name, password);
  }
  const caCert = await readFile(certs.caCert, "utf8");

  return serverInstance({
    kind: "ejabberd",
    version: program.version,
    domain,
    c2sPort,
    c2sDirectTlsPort,
    httpPort,
    accounts,
    caCert,
    dir,
    createAccount,
    keep: options.keep ?? false,
    logFile: logFile,
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
