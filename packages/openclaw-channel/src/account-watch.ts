/**
 * Per-account watching while the gateway runs it: after each new session the
 * doctor's findings (`doctor.ts`) are put into the account's status, and the
 * health monitor (`health.ts`) reconnects a wedged session and says so in
 * the status (`lifecycle: recovering`, `healthRestarts`).
 */
import type { Client } from "@clawxmpp/core";
import type { UploadHandle } from "@clawxmpp/upload";
import type { ResolvedXmppAccount } from "./accounts.js";
import { connectionFacts, diagnoseServer, type ServerFacts } from "./doctor.js";
import { startHealthMonitor } from "./health.js";
import type { ChannelAccountSnapshot } from "./openclaw-types.js";

/** What watching needs. */
export interface AccountWatchDeps {
  client: Client;
  account: ResolvedXmppAccount;
  upload: Pick<UploadHandle, "service"> | undefined;
  status: (patch: Partial<ChannelAccountSnapshot>) => void;
  log: (level: "info" | "warn", line: string) => void;
  /** The account's OMEMO device, once it exists (doctor's OMEMO readiness). */
  omemoStatus?: (() => { deviceId: number } | undefined) | undefined;
}

/** A running watch. */
export interface AccountWatch {
  /** The latest findings, with the connection facts as of now. */
  facts(): ServerFacts | undefined;
  stop(): void;
}

/** Starts the doctor (on every new session) and the health monitor. */
export function watchAccount(deps: AccountWatchDeps): AccountWatch {
  let facts: ServerFacts | undefined;
  let run = 0;
  const offOnline = deps.client.on("online", ({ resumed }) => {
    // A resumed stream is the same server and login: the findings still hold.
    if (resumed && facts !== undefined) return;
    const current = ++run;
    void diagnoseServer({
      client: deps.client,
      account: deps.account,
      upload: deps.upload,
      omemoStatus: deps.omemoStatus,
    }).then((found) => {
      if (current !== run) return;
      facts = found;
      deps.status({ doctor: found });
    });
  });
  const monitor = deps.account.healthMonitor.enabled
    ? startHealthMonitor({
        client: deps.client,
        intervalMs: deps.account.healthMonitor.intervalMs,
        timeoutMs: deps.account.healthMonitor.timeoutMs,
        onRestart: (reason) => {
          deps.log("warn", `health monitor: ${reason}; reconnecting`);
          deps.status({
            lifecycle: "recovering",
            connected: false,
            lastError: `health monitor: ${reason}`,
            healthRestarts: monitor?.restarts() ?? 1,
          });
        },
      })
    : undefined;
  return {
    facts: () =>
      facts === undefined
        ? undefined
        : {
            ...facts,
            ...connectionFacts({ client: deps.client, account: deps.account }),
            // The device may come after the doctor ran: readiness is read live.
            ...(facts.omemo === "starting" && deps.omemoStatus?.() !== undefined
              ? { omemo: `ready (device ${deps.omemoStatus()!.deviceId})` }
              : {}),
          },
    stop: () => {
      run++;
      offOnline();
      monitor?.stop();
    },
  };
}
