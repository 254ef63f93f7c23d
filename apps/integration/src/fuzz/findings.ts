/** Findings of a fuzz run, grouped by kind and message so one bug hit 500 times is one line. */
import { type FuzzCase, stanzaPreview } from "./fuzz-case.js";

/** What went wrong. */
export type FindingKind =
  /** `receive()` threw: an exception escaped to the transport. */
  | "exception"
  /** The core or a plugin logged an error: an exception escaped into a safety net. */
  | "logged-error"
  | "unhandled-rejection"
  | "uncaught-exception"
  /** The client was not online after a round. */
  | "offline"
  /** The client did not answer a ping after a round. */
  | "unresponsive";

/** A case a finding was seen after (the last one fed when it surfaced). */
export interface FindingExample {
  index: number;
  seedName: string;
  mutations: string[];
  stanza: string;
  detail: string;
}

/** One distinct finding. */
export interface Finding {
  kind: FindingKind;
  message: string;
  count: number;
  /** Up to three cases it surfaced after. */
  examples: FindingExample[];
}

/** Collects findings. */
export class Findings {
  readonly #byKey = new Map<string, Finding>();

  add(kind: FindingKind, message: string, detail: string, at: FuzzCase | undefined): void {
    // Numbers and ids vary between hits of the same bug.
    const key = `${kind}|${message.replace(/\d+/gu, "N").slice(0, 200)}`;
    let finding = this.#byKey.get(key);
    if (!finding) {
      finding = { kind, message: message.slice(0, 500), count: 0, examples: [] };
      this.#byKey.set(key, finding);
    }
    finding.count++;
    if (finding.examples.length < 3) {
      finding.examples.push({
        index: at?.index ?? -1,
        seedName: at?.seedName ?? "(none)",
        mutations: at?.mutations ?? [],
        stanza: at ? stanzaPreview(at.stanza) : "",
        detail: detail.slice(0, 3_000),
      });
    }
  }

  /** Total hits of `kind` (every kind when omitted). */
  count(kind?: FindingKind): number {
    let total = 0;
    for (const f of this.#byKey.values())
      if (kind === undefined || f.kind === kind) total += f.count;
    return total;
  }

  list(): Finding[] {
    return [...this.#byKey.values()].sort((a, b) => b.count - a.count);
  }
}
