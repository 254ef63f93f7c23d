/**
 * Where each server kind's programs live, and their versions. Prosody 13 is the
 * bookworm-backports .deb extracted under the user's cache (never installed over
 * Debian's 0.12); ejabberd is the backports package. `scripts/servers.sh` puts both there.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { assertServerTools } from "./prosody-binary.js";
import type { ServerKind } from "./server-kind.js";

const INSTALL_HINT =
  "run scripts/test.sh (it installs missing servers), or `bash -c 'source scripts/lib.sh && ensure_server_tools'`, " +
  "or limit the matrix with CLAWXMPP_SERVERS=prosody12";

/** The program to spawn for a Prosody kind and its version. */
export interface ProsodyProgram {
  command: string;
  version: string;
}

/** Debian's Prosody 0.12 on PATH. */
export function prosody12Program(): ProsodyProgram {
  assertServerTools();
  return { command: "prosody", version: readVersion("/usr/lib/prosody/prosody.version") };
}

/** Prosody 13 extracted under `${XDG_CACHE_HOME:-$HOME/.cache}/clawxmpp/prosody13/root`. */
export function prosody13Program(): ProsodyProgram {
  assertServerTools();
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  const root = join(cache, "clawxmpp", "prosody13", "root");
  const command = join(root, "usr", "bin", "prosody");
  if (!existsSync(command))
    throw new Error(`Prosody 13 is not installed at ${root}: ${INSTALL_HINT}`);
  return { command, version: readVersion(join(root, "usr", "lib", "prosody", "prosody.version")) };
}

/** ejabberd's control script and the packaged version (e.g. "24.12"). */
export function ejabberdProgram(): { ejabberdctl: string; version: string } {
  const ejabberdctl = "/usr/sbin/ejabberdctl";
  let version = "";
  try {
    // "ejabberd\t24.12-3~bpo12+1": the upstream version is before the Debian revision.
    const line = execFileSync("dpkg-query", ["-W", "ejabberd"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    version = (line.split("\t")[1] ?? "").trim().replace(/-[^-]*$/u, "");
  } catch {
    // not a dpkg system, or not installed: the existence check below reports it
  }
  if (!existsSync(ejabberdctl) || version === "") {
    throw new Error(`ejabberd is not installed: ${INSTALL_HINT}`);
  }
  return { ejabberdctl, version };
}

function readVersion(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return "unknown";
  }
}

/** Throws with the install hint when `kind`'s programs are missing. */
export function assertServerInstalled(kind: ServerKind): void {
  if (kind === "prosody12") prosody12Program();
  else if (kind === "prosody13") prosody13Program();
  else ejabberdProgram();
}

/**
 * Whether `kind` can grant XEP-0356 privileges and XEP-0355 delegations to a component: ejabberd
 * always (mod_privilege, mod_delegation); Prosody only with prosody-modules' modules installed.
 */
export function componentGrantsAvailable(kind: ServerKind): boolean {
  if (kind === "ejabberd") return true;
  const root =
    kind === "prosody13"
      ? join(
          process.env.XDG_CACHE_HOME || join(homedir(), ".cache"),
          "clawxmpp",
          "prosody13",
          "root",
        )
      : "/";
  const modules = join(root, "usr", "lib", "prosody", "modules");
  return ["privilege", "delegation"].every((name) =>
    existsSync(join(modules, `mod_${name}`, `mod_${name}.lua`)),
  );
}
