/**
 * Drives the profanity console client (Debian package `profanity`) in a
 * detached tmux session, for interop tests: isolated HOME/XDG dirs, `tls
 * trust` for the throwaway CA, keys in with `send-keys`, the screen out with
 * `capture-pane`. Stopped by PID, never by name.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** True when both profanity and tmux are installed. */
export function hasProfanity(): boolean {
  try {
    execFileSync("sh", ["-c", "command -v profanity && command -v tmux"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A running profanity. */
export interface Profanity {
  /** Types `line` and Enter. */
  type(line: string): Promise<void>;
  /** The visible screen. */
  screen(): Promise<string>;
  /** Waits until the screen matches `pattern`; returns the screen. */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
  /** Clears the window so the next `waitFor` sees only new output. */
  clear(): Promise<void>;
  stop(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts profanity and logs in as `jid` on 127.0.0.1:`port`. */
export async function startProfanity(
  jid: string,
  password: string,
  port: number,
): Promise<Profanity> {
  const home = await mkdtemp(join(tmpdir(), "clawxmpp-profanity-"));
  const session = `clawxmpp-prof-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const env = `HOME=${home} XDG_CONFIG_HOME=${home}/config XDG_DATA_HOME=${home}/data TERM=xterm-256color`;
  await run("tmux", [
    "new-session",
    "-d",
    "-s",
    session,
    "-x",
    "200",
    "-y",
    "50",
    `env ${env} profanity`,
  ]);
  const { stdout } = await run("tmux", ["display-message", "-p", "-t", session, "#{pane_pid}"]);
  const pid = Number(stdout.trim());
  const keys = (...args: string[]) =>
    run("tmux", ["send-keys", "-t", session, ...args]).then(() => {});
  const screen = async () => (await run("tmux", ["capture-pane", "-p", "-t", session])).stdout;
  const waitFor = async (pattern: RegExp, ms = 15_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const text = await screen();
      if (pattern.test(text)) return text;
      if (Date.now() > deadline)
        throw new Error(`profanity never showed ${pattern}; screen:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const profanity: Profanity = {
    type: (line) => keys(line, "Enter"),
    screen,
    waitFor,
    clear: () => keys("/clear", "Enter"),
    async stop() {
      await keys("/quit", "Enter").catch(() => {});
      // Give it a moment to log out cleanly, then make sure: by PID, never by name.
      for (let i = 0; i < 30 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) process.kill(pid, "SIGTERM");
      await run("tmux", ["kill-session", "-t", session]).catch(() => {});
      await rm(home, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(/Type '\/help'/u);
    await profanity.type(`/connect ${jid} server 127.0.0.1 port ${port} tls trust`);
    await waitFor(/password/iu);
    await profanity.type(password);
    await waitFor(/logged in successfully/u);
    // Without the roster panel every screen line holds only the window's own text.
    await profanity.type("/roster hide");
  } catch (error) {
    await profanity.stop();
    throw error;
  }
  return profanity;
}
