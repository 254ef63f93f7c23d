export type { SeedBuilder } from "./corpus-messages.js";
export type { Finding, FindingExample, FindingKind } from "./findings.js";
export { type FuzzCase, fuzzCase, SEEDS, stanzaPreview } from "./fuzz-case.js";
export { type MutationName, mutate } from "./mutate.js";
export { createRng, type Rng } from "./prng.js";
export { type FuzzOptions, type FuzzReport, runFuzz } from "./run-fuzz.js";
export { defaultScene, type FuzzScene } from "./scene.js";
export type { FinalCheck } from "./session-checks.js";
export {
  createFuzzTarget,
  type FuzzPlugins,
  type FuzzTarget,
  type LoggedError,
} from "./target.js";
