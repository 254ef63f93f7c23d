export { makeCertificates, type TestCertificates } from "./certs.js";
export { type ClientForOptions, clientFor } from "./client-for.js";
export {
  createFuzzTarget,
  createRng,
  defaultScene,
  type Finding,
  type FindingExample,
  type FindingKind,
  type FuzzCase,
  type FuzzOptions,
  type FuzzReport,
  type FuzzScene,
  type FuzzTarget,
  fuzzCase,
  type LoggedError,
  type MutationName,
  mutate,
  type Rng,
  runFuzz,
  SEEDS,
  type SeedBuilder,
  stanzaPreview,
} from "./fuzz/index.js";
export { freePorts } from "./ports.js";
export { type ProsodyInstance, type ProsodyOptions, startProsody } from "./prosody.js";
export { assertServerTools } from "./prosody-binary.js";
