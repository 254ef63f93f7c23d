export { type ArchiveCursorStore, memoryCursor } from "./archive.js";
export {
  ARCHIVE_QUERY_MAX,
  type ArchivedMessage,
  type ArchivePage,
  type ArchiveQuerier,
  type ArchiveQueryOptions,
} from "./archive-query.js";
export { writeFileAtomic } from "./atomic-file.js";
export { type BackoffOptions, backoffDelay } from "./backoff.js";
export { createClient, createComponentClient } from "./client.js";
export type {
  Bounce,
  ClientEvents,
  ClientStats,
  ClientStatus,
  OfflineInfo,
  OnlineInfo,
  PluginClient,
  SendStanzaOptions,
  SubscriptionRequest,
} from "./client-api.js";
export type { Client } from "./client-handle.js";
export { type Clock, sleep, systemClock, type TimerOptions } from "./clock.js";
export {
  type FastToken,
  type FastTokenStore,
  memoryTokenStore,
} from "./connection/fast.js";
export { fileTokenStore } from "./connection/fast-file-store.js";
export { REDACTED, redactForTrace } from "./connection/redact.js";
export { xmppTransport } from "./connection/xmpp-transport.js";
export {
  CAPS_NODE,
  type DiscoIdentity,
  type DiscoItem,
  type DiscoNodeProvider,
  type DiscoRegistry,
  type DiscoRequest,
} from "./disco.js";
export {
  type DnsOptions,
  dnsOptionsSchema,
  type SrvRecord,
  type SrvResolver,
  type SrvSettings,
} from "./dns-options.js";
export { type Disposer, Emitter, type EventMap, type Events } from "./emitter.js";
export {
  AuthError,
  ClawXmppError,
  type ClawXmppErrorCode,
  type ClawXmppErrorOptions,
  ConfigError,
  type CoreErrorCode,
  StanzaError,
  StreamError,
  TimeoutError,
} from "./errors.js";
export { type ClientIntrospection, introspect } from "./introspect.js";
export type { IqCaller, IqHandler, IqHandlers, IqRequest, IqRequestOptions } from "./iq.js";
export { bareJid, type Jid, JidError, parseJid, sameBareJid, tryParseJid } from "./jid.js";
export { consoleLogger, type Logger, silentLogger } from "./logger.js";
export {
  type ClientOptions,
  clientOptionsSchema,
  isLoopbackHost,
  loginOptionsSchema,
  type ResolvedClientOptions,
} from "./options.js";
export { parseOptions } from "./options-util.js";
export { type ParseXmlOptions, parseXml } from "./parse-xml.js";
export {
  INBOUND_STAGES,
  type InboundContext,
  type InboundOrigin,
  type InboundStage,
  OUTBOUND_STAGES,
  type OutboundContext,
  type OutboundStage,
  type StageHandler,
  type Stages,
} from "./pipeline.js";
export {
  type AnyPlugin,
  type DepsOf,
  definePlugin,
  type HandleOf,
  type Plugin,
  type PluginContext,
  type PluginHandle,
  type PluginMap,
  type PluginSpec,
  type SessionLane,
} from "./plugin.js";
export { fetchRoster, MAX_ROSTER_ITEMS, NS_ROSTER, type RosterItem } from "./roster.js";
export {
  buildMessage,
  type InboundMessage,
  type MessageExtensions,
  type MessageType,
  type OutgoingExtensions,
  type OutgoingMessage,
  parseDelay,
  parseMessage,
} from "./stanza/message.js";
export {
  type InboundPresence,
  type PresenceExtensions,
  type PresenceType,
  parsePresence,
} from "./stanza/presence.js";
export { randomStanzaId } from "./stanza-id.js";
export {
  resolveTrace,
  stderrTrace,
  TRACE_ENV,
  type TraceDirection,
  type TraceFn,
  type TraceOption,
  traceOptionSchema,
} from "./trace.js";
export type {
  LoginInfo,
  LoginSettings,
  OpenRequest,
  OpenResult,
  Transport,
  TransportFactory,
  TransportListener,
  TransportParams,
} from "./transport.js";
export { type Element, isElement, type XmlChild, xml } from "./xml.js";
export { formatXmppUri, jidFromInput, parseXmppUri, type XmppUri } from "./xmpp-uri.js";
