export { makeCertificates, type TestCertificates } from "./certs.js";
export { type ClientForOptions, clientFor } from "./client-for.js";
export { freePorts } from "./ports.js";
export { type ProsodyInstance, type ProsodyOptions, startProsody } from "./prosody.js";
export { assertServerTools } from "./prosody-binary.js";
export { startServer } from "./server.js";
export {
  SERVER_KINDS,
  type ServerKind,
  type ServerOptions,
  serverKinds,
  type XmppServer,
} from "./server-kind.js";
export {
  type ProxyDirection,
  type ProxyTlsTermination,
  type TcpProxy,
  type TcpProxyOptions,
  tcpProxy,
} from "./tcp-proxy.js";
