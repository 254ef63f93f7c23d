export { makeCertificates, type TestCertificates } from "./certs.js";
export { type ClientForOptions, clientFor } from "./client-for.js";
export {
  createFuzzTarget,
  createRng,
  defaultScene,
  type FinalCheck,
  type Finding,
  type FindingExample,
  type FindingKind,
  type FuzzCase,
  type FuzzOptions,
  type FuzzPlugins,
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
export { type SeededRandom, seededRandom, seedFrom } from "./seeded-random.js";
export { startServer } from "./server.js";
export {
  SERVER_KINDS,
  type ServerKind,
  type ServerOptions,
  serverKinds,
  type XmppServer,
} from "./server-kind.js";
export {
  formatSoak,
  runSoak,
  type SoakDirection,
  type SoakOptions,
  type SoakResult,
} from "./soak.js";
export {
  type ProxyDirection,
  type ProxyTlsTermination,
  type TcpProxy,
  type TcpProxyOptions,
  tcpProxy,
} from "./tcp-proxy.js";
