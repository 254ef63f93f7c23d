/** Finding Prosody and openssl, with an exact instruction when they are missing. */
import { execFileSync } from "node:child_process";

/** Throws with the exact install command when `prosody`, `prosodyctl` or `openssl` is missing. */
export function assertServerTools(): void {
  const missing = ["prosody", "prosodyctl", "openssl"].filter((tool) => !onPath(tool));
  if (missing.length > 0) {
    throw new Error(
      `missing ${missing.join(", ")}: install Debian's Prosody and openssl with\n` +
        "  sudo apt-get update && sudo apt-get install -y prosody openssl\n" +
        "(or run `pnpm test:all`, which does this when it runs as root)",
    );
  }
}

function onPath(tool: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
