/**
 * Where pairing state lives. The store is deliberately dumb (load the whole
 * state, save the whole state) so an application can plug its own backend,
 * e.g. OpenClaw's pairing store, without reimplementing the pairing rules.
 */
import { emptyPairingState, type PairingState } from "./pairing-state.js";

/** Persistence of pairing state. `load` must throw rather than return an empty state for unreadable data. */
export interface PairingStore {
  /** Reads the whole state; a missing store is an empty state. */
  load(): Promise<PairingState>;
  /** Replaces the whole state. Should be atomic. */
  save(state: PairingState): Promise<void>;
  /**
   * Optional exclusive lock across processes (the bot and the CLI both write):
   * resolves with a release function. Without it, concurrent writers in
   * different processes may lose an update.
   */
  lock?(): Promise<() => Promise<void>>;
}

/** A store in memory only: approvals are lost when the process exits. */
export function memoryStore(initial: PairingState = emptyPairingState()): PairingStore {
  let state = structuredClone(initial);
  return {
    async load() {
      return structuredClone(state);
    },
    async save(next) {
      state = structuredClone(next);
    },
  };
}
