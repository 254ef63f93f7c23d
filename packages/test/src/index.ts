export {
  type ConformanceDependency,
  type ConformanceOptions,
  testPluginConformance,
} from "./conformance.js";
export {
  assertNoLeaks,
  findLeaks,
  footprint,
  type PluginFootprint,
} from "./conformance-checks.js";
export {
  dropAndRecover,
  type Lifecycle,
  type PluginUse,
  pingAnswered,
  settle,
  startLifecycle,
  stopLifecycles,
  throwingPlugin,
} from "./conformance-lifecycle.js";
export {
  type DnsZone,
  startDnsServer,
  type TestDnsServer,
  type TestSrvRecord,
} from "./dns-server.js";
export {
  FAKE_CLIENT_JID,
  type FakeClient,
  type FakeClientOptions,
  fakeClient,
} from "./fake-client.js";
export { type FakeClock, fakeClock } from "./fake-clock.js";
export { type FakeServer, type FakeServerOptions, fakeServer } from "./fake-transport.js";
export { flush } from "./flush.js";
export {
  DEFAULT_WAIT_MS,
  type NextEventOptions,
  type NodeStyleEmitter,
  nextEvent,
} from "./next-event.js";
export { archiveResult, carbon, chat, iq, presence, stanzaError } from "./stanzas.js";
export { TestKitError } from "./test-kit-error.js";
export { type UntilOptions, until } from "./until.js";
