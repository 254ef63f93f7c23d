/**
 * The operator's side of pairing, for a bot's command line:
 * `<bot> pairing approve <code>`, `<bot> pairing list`, `<bot> pairing revoke <jid>`.
 * It works on the store directly, so it runs while the bot is running or not;
 * a running bot notices the approval on its next reload and greets the JID.
 */
import { ClawXmppError } from "@clawxmpp/core";
import { jsonFileStore } from "./json-file-store.js";
import { createPairing, type PairingOptionsInput, pairingOptionsSchema } from "./pairing.js";
import type { PairingStore } from "./pairing-store.js";

/** Where {@link runPairingCli} writes. */
export interface PairingCliIo {
  /** Normal output, one line per call. @default console.log */
  out?: (line: string) => void;
  /** Errors, one line per call. @default console.error */
  err?: (line: string) => void;
  /** Pairing limits; use the bot's own so lockouts agree. @default the defaults */
  pairing?: PairingOptionsInput;
}

const USAGE = [
  "usage:",
  "  pairing list               show pending codes and approved JIDs",
  "  pairing approve <code>     approve the sender who received <code>",
  "  pairing revoke <jid>       remove an approved JID",
];

/**
 * Runs a pairing command. `argv` is the argument list after the program name,
 * with or without a leading `pairing`. `store` is a store or the path of a
 * JSON store. Resolves with a process exit code (0 ok, 1 failure, 2 usage).
 */
export async function runPairingCli(
  argv: readonly string[],
  store: PairingStore | string,
  io: PairingCliIo = {},
): Promise<number> {
  const out = io.out ?? ((line: string) => console.log(line));
  const err = io.err ?? ((line: string) => console.error(line));
  const args = argv[0] === "pairing" ? argv.slice(1) : [...argv];
  const [command, arg, ...extra] = args;
  const usage = () => {
    for (const line of USAGE) err(line);
    return 2;
  };
  if (extra.length > 0) return usage();
  const pairing = createPairing(pairingOptionsSchema.parse(io.pairing ?? {}), {
    store: typeof store === "string" ? jsonFileStore(store) : store,
  });
  try {
    switch (command) {
      case "list": {
        if (arg !== undefined) return usage();
        const list = await pairing.list();
        if (list.pending.length === 0) out("no pending pairing codes");
        for (const p of list.pending) {
          out(`pending  ${p.code}  ${p.jid}  expires ${new Date(p.expiresAt).toISOString()}`);
        }
        if (list.approved.length === 0) out("no approved JIDs");
        for (const a of list.approved) {
          out(`approved ${a.jid}  since ${new Date(a.approvedAt).toISOString()}`);
        }
        if (list.lockedUntil > 0)
          out(`approvals locked until ${new Date(list.lockedUntil).toISOString()}`);
        return 0;
      }
      case "approve": {
        if (arg === undefined) return usage();
        const entry = await pairing.approve(arg);
        out(`approved ${entry.jid}`);
        return 0;
      }
      case "revoke": {
        if (arg === undefined) return usage();
        out((await pairing.revoke(arg)) ? `revoked ${arg}` : `${arg} was not approved`);
        return 0;
      }
      default:
        return usage();
    }
  } catch (error) {
    err(ClawXmppError.isInstance(error) ? `error: ${error.message}` : `error: ${String(error)}`);
    return 1;
  }
}
