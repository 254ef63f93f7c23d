/**
 * Evidence from failing gateway tests: a failing test prints the gateway's
 * log tail (file log and console), and the temporary directory holding the
 * state and full logs is kept instead of removed. Call once at the top level
 * of a test file; call `cleanUp()` in its `afterAll`.
 */
import { rmSync } from "node:fs";
import { beforeEach } from "vitest";
import type { Gateway } from "./gateway.js";

/** What {@link keepEvidenceOnFailure} returns. */
export interface Evidence {
  /** True once a test of the file failed. */
  failed(): boolean;
  /** Removes `dir`, unless a test failed or `CLAWXMPP_E2E_KEEP` is set (then says where it is). */
  cleanUp(dir: string | undefined): void;
}

/** Registers the failure hook for the tests of this file. */
export function keepEvidenceOnFailure(gateway: () => Gateway | undefined): Evidence {
  let failed = false;
  beforeEach((context) => {
    context.onTestFailed(() => {
      failed = true;
      console.log(`[${context.task.name}] failed; ${gateway()?.logTail(120) ?? "no gateway"}`);
    });
  });
  return {
    failed: () => failed,
    cleanUp(dir) {
      if (dir === undefined) return;
      if (failed || process.env.CLAWXMPP_E2E_KEEP) console.log(`kept ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}
