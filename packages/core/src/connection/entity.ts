/**
 * The @xmpp/client-core entity under one transport: our socket classes,
 * the bare JID for the stream header's `from` (RFC 6120 §4.7.1: sent only
 * once the stream is encrypted, which client-core's `header()` checks), and
 * the XML trace hook when the trace is on.
 */
import { Client as Entity } from "@xmpp/client-core";
import type { TransportParams } from "../transport.js";
import { transportClasses } from "./sockets.js";
import { attachTrace } from "./trace-hook.js";

/** Creates the entity for `params`; listeners added later see elements after the trace. */
export function createEntity(
  params: Pick<TransportParams, "jid" | "domain" | "tls" | "timeouts" | "trace">,
): Entity {
  const entity = new Entity({ domain: params.domain });
  entity.transports.push(
    ...transportClasses({
      servername: params.domain,
      ca: params.tls.ca,
      minVersion: params.tls.minVersion,
      maxVersion: params.tls.maxVersion,
    }),
  );
  entity.timeout = params.timeouts.features;
  // ejabberd offers SASL2/FAST only when the secure stream's header carries `from`.
  (entity as unknown as { _jid(jid: string): unknown })._jid(params.jid);
  // client-core would follow <see-other-host/> by itself (a socket behind the transport's back,
  // and an unhandled rejection since no service URI is set); it is reported as a stream error.
  Object.assign(entity, { _onSeeOtherHost: async () => {} });
  if (params.trace) attachTrace(entity, params.trace);
  return entity;
}
