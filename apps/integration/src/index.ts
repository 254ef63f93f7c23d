export { makeCertificates, type TestCertificates } from "./certs.js";
export { type ClientForOptions, clientFor } from "./client-for.js";
// The fuzz engine loads every plugin package; it has its own entry point,
// `@clawxmpp/integration/fuzz`, so the demo and other users of the fixture stay light.
export { freePorts } from "./ports.js";
export { type ProsodyInstance, type ProsodyOptions, startProsody } from "./prosody.js";
export { assertServerTools } from "./prosody-binary.js";
export { type SeededRandom, seededRandom, seedFrom } from "./seeded-random.js";
export { startServer } from "./server.js";
export { componentGrantsAvailable } from "./server-binaries.js";
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
export type { ComponentGrants, TestComponentSpec } from "./test-components.js";
