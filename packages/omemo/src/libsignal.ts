/**
 * Loads `@privacyresearch/libsignal-protocol-typescript` (GPL-3.0-only, the
 * legacy OMEMO / Signal v3 ratchet) once, with three repairs:
 *
 * - its curve module (emscripten output) registers `process.on('unhandledRejection', abort)`
 *   and a rethrowing `uncaughtException` handler at import, which would abort the
 *   host process on any unrelated unhandled rejection: the listeners it adds are removed;
 * - the native X25519 curve (native-curve.ts) is installed with `setCurve()`;
 * - its module-global `SessionLock` keeps every promise it ever queued: pruned
 *   after our operations (`pruneSessionLock`).
 */
import { createRequire } from "node:module";
import type {
  KeyHelper,
  SessionBuilder,
  SessionCipher,
  SignalProtocolAddress,
  setCurve,
} from "@privacyresearch/libsignal-protocol-typescript";
import { type AsyncCurve25519, nativeCurve } from "./native-curve.js";

/** The parts of the library this package uses. */
export interface LibsignalApi {
  KeyHelper: typeof KeyHelper;
  SessionBuilder: typeof SessionBuilder;
  SessionCipher: typeof SessionCipher;
  SignalProtocolAddress: typeof SignalProtocolAddress;
  setCurve: typeof setCurve;
}
// `process` typed as a plain emitter: its overloads do not cover a loop over event names.
const processEvents: NodeJS.EventEmitter = process;

/** The loaded library and the two curves: `pure` (the library's own) and the one in use. */
export interface LoadedLibsignal {
  lib: LibsignalApi;
  pureCurve: AsyncCurve25519;
  curve: AsyncCurve25519;
}

const PROCESS_EVENTS = ["uncaughtException", "unhandledRejection"] as const;
const require = createRequire(import.meta.url);
let loading: Promise<LoadedLibsignal> | undefined;
let currentCurve: "native" | "pure" = "native";

/** Loads the library (once) and installs the curve chosen by `useCurve` (native by default). */
export function loadLibsignal(): Promise<LoadedLibsignal> {
  loading ??= load();
  return loading;
}

async function load(): Promise<LoadedLibsignal> {
  const before = new Map(PROCESS_EVENTS.map((e) => [e, new Set(processEvents.listeners(e))]));
  try {
    const lib: LibsignalApi = await import("@privacyresearch/libsignal-protocol-typescript");
    const curveModule = (await import("@privacyresearch/curve25519-typescript")) as {
      AsyncCurve25519Wrapper: new () => AsyncCurve25519;
    };
    const pureCurve = new curveModule.AsyncCurve25519Wrapper();
    // The emscripten module is instantiated asynchronously; wait so its listeners exist before removal.
    await pureCurve.keyPair(new ArrayBuffer(32));
    const curve = currentCurve === "native" ? nativeCurve(pureCurve) : pureCurve;
    lib.setCurve(curve);
    return { lib, pureCurve, curve };
  } finally {
    for (const event of PROCESS_EVENTS) {
      for (const listener of processEvents.listeners(event)) {
        if (!before.get(event)?.has(listener)) {
          processEvents.removeListener(event, listener as (...args: unknown[]) => void);
        }
      }
    }
  }
}

/**
 * Switches libsignal between the native hybrid curve and its own pure-JS curve
 * (benchmarks and identity tests only; the setting is process-wide).
 */
export async function useCurve(kind: "native" | "pure"): Promise<LoadedLibsignal> {
  currentCurve = kind;
  const loaded = await loadLibsignal();
  loaded.curve = kind === "native" ? nativeCurve(loaded.pureCurve) : loaded.pureCurve;
  loaded.lib.setCurve(loaded.curve);
  return loaded;
}

interface SessionLockStatics {
  _promises: unknown[];
  errors: unknown[];
}

let sessionLock: SessionLockStatics | undefined;

/** Drops the library's record of settled lock promises (it never does; one entry per operation). */
export function pruneSessionLock(threshold = 256): void {
  sessionLock ??= (
    require("@privacyresearch/libsignal-protocol-typescript/lib/session-lock.js") as {
      SessionLock: SessionLockStatics;
    }
  ).SessionLock;
  // Only `clearQueue()` reads these, and we never call it; our own queues order the work.
  if (sessionLock._promises.length > threshold) sessionLock._promises.length = 0;
  if (sessionLock.errors.length > threshold) sessionLock.errors.length = 0;
}
