export {
  type ConformanceDependency,
  type ConformanceOptions,
  testPluginConformance,
} from "./conformance.js";
export {
  type DnsZone,
  startDnsServer,
  type TestDnsServer,
  type TestSrvRecord,
} from "./dns-server.js";
export { type FakeServer, fakeServer } from "./fake-transport.js";
export { carbon, chat, iq, presence } from "./stanzas.js";
