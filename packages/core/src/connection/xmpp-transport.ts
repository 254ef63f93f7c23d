/**
 * The real transport: @xmpp/client-core's stream framing over our sockets,
 * with stream negotiation driven step by step so each step has a timeout:
 * (DNS SRV, §3.2.1) → TCP connect → (STARTTLS, RFC 6120 §5) → SASL (§6) →
 * XEP-0198 resume or resource binding (§7) + XEP-0198 enable. Each step is
 * logged at debug level; the XML trace hooks in only when it is on.
 */
import { Socket as NetSocket } from "node:net";
import { TLSSocket, connect as tlsConnect } from "node:tls";
import type { Client as Entity } from "@xmpp/client-core";
import TlsSocket from "@xmpp/tls/lib/Socket.js";
import type { SrvResolver } from "../dns-options.js";
import { AuthError, ClawXmppError, StanzaError, StreamError } from "../errors.js";
import { type Logger, silentLogger } from "../logger.js";
import type {
  LoginInfo,
  OpenRequest,
  OpenResult,
  Transport,
  TransportParams,
} from "../transport.js";
import { type Element, xml } from "../xml.js";
import { channelBindingData } from "./channel-binding.js";
import {
  connectError,
  connectFailure,
  describeEndpoint,
  isCertificateError,
  serviceUri,
} from "./endpoint-errors.js";
import { createEntity } from "./entity.js";
import { isFastToken } from "./fast.js";
import { authenticate, type ChannelBindingSource } from "./sasl.js";
import { parseSasl2Offer } from "./sasl2.js";
import { sasl2Login } from "./sasl2-login.js";
import { tlsConnectOptions } from "./sockets.js";
import { addressesOf, dnsResolver, type Endpoint, lookupEndpoints, skipsSrv } from "./srv.js";
import { featuresSummary, tlsSummary } from "./step-log.js";
import { ElementWaiter, withTimeout } from "./waiter.js";

const NS_STREAM = "http://etherx.jabber.org/streams";
const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";
const NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind";
const NS_SESSION = "urn:ietf:params:xml:ns:xmpp-session";
const NS_SM = "urn:xmpp:sm:3";

/** Creates the real transport (the default of `createClient`). */
export function xmppTransport(params: TransportParams): Transport {
  return new XmppTransport(params);
}

class XmppTransport implements Transport {
  readonly #params: TransportParams;
  readonly #entity: Entity;
  readonly #waiter = new ElementWaiter();
  readonly #log: Logger;
  #negotiated = false;
  #closed = false;
  /** True while endpoints are being tried: a socket closing then only fails that attempt. */
  #establishing = false;
  #streamError: StreamError | undefined;
  /** Sockets of the current attempt, destroyed when it fails. */
  #attemptSockets: { destroy(): void }[] = [];

  constructor(params: TransportParams) {
    this.#params = params;
    this.#log = (params.logger ?? silentLogger).child("connection");
    // Created first so the trace (when on) sees each element before it is handled.
    const entity = createEntity(params);
    entity.on("element", (element: Element) => this.#onElement(element));
    entity.on("error", () => {
      // Errors are reported through `disconnect`/negotiation failures; this listener only keeps
      // EventEmitter from throwing.
    });
    entity.on("disconnect", (info: { clean?: boolean; reason?: Error } | undefined) =>
      this.#onDisconnect(info),
    );
    this.#entity = entity;
  }

  #onElement(element: Element): void {
    if (element.is("error", NS_STREAM)) {
      this.#streamError = StreamError.fromElement(element);
      this.#waiter.failAll(this.#streamError);
      return;
    }
    if (this.#waiter.offer(element)) {
      // SM state transitions are also reported to the client, in order.
      if (element.attrs.xmlns === NS_SM) this.#params.listener.element(element);
      return;
    }
    if (
      this.#negotiated ||
      element.name === "message" ||
      element.name === "presence" ||
      element.name === "iq"
    ) {
      this.#params.listener.element(element);
    }
  }

  #onDisconnect(info: { clean?: boolean; reason?: Error } | undefined): void {
    if (this.#closed) return;
    const error =
      this.#streamError ??
      (info?.reason instanceof Error
        ? new ClawXmppError("connection", `connection lost: ${info.reason.message}`, {
            cause: info.reason,
          })
        : info?.clean
          ? undefined
          : new ClawXmppError("connection", "connection lost"));
    if (this.#establishing) {
      // Only this endpoint failed; open() moves on to the next one.
      this.#waiter.failAll(error ?? new ClawXmppError("connection", "connection closed"));
      return;
    }
    this.#closed = true;
    this.#log.debug("connection closed", {
      clean: error === undefined,
      ...(error ? { error: error.message } : {}),
    });
    this.#waiter.failAll(error ?? new ClawXmppError("connection", "connection closed"));
    this.#params.listener.closed(error);
  }

  async open(request: OpenRequest): Promise<OpenResult> {
    try {
      const features = await this.#establish();
      const login = this.#params.login;
      const offer = login?.sasl2 ? parseSasl2Offer(features) : undefined;
      // Declining Bind2 is leaving it out of <authenticate>: XEP-0388 then binds as RFC 6120 does.
      if (offer && login?.bind2 === false) offer.bind2 = undefined;
      if (offer && login) {
        const { result, boundJid } = await sasl2Login({
          request,
          features,
          offer,
          login,
          jid: this.#params.jid,
          password: this.#params.password,
          timeouts: this.#params.timeouts,
          secure: this.#entity.isSecure(),
          tlsVersion: this.#tlsSocket()?.getProtocol() ?? undefined,
          channelBinding: this.#channelBinding(),
          previousJid: this.#boundJid,
          log: this.#log,
          send: (el) => this.#send(el),
          expect: (match, ms, step) => this.#waiter.expect(match, ms, step),
          smNonza: (el) => this.#params.listener.element(el),
          bind: (features2, smOffered, mechanism) =>
            this.#bind(request, features2, smOffered, mechanism),
        });
        if (boundJid) this.#boundJid = boundJid;
        this.#negotiated = true;
        return result;
      }
      return await this.#openSasl1(request, features);
    } catch (error) {
      this.#log.debug("login failed", { error: (error as Error).message });
      this.destroy();
      throw error;
    }
  }

  /** Channel binding data of the current TLS channel. */
  #channelBinding(): ChannelBindingSource {
    const tlsSocket = this.#tlsSocket();
    return (type) => (tlsSocket ? channelBindingData(tlsSocket, type) : undefined);
  }

  /** RFC 6120: SASL, stream restart, then XEP-0198 resume or bind + enable. */
  async #openSasl1(request: OpenRequest, initial: Element): Promise<OpenResult> {
    const { timeouts } = this.#params;
    const entity = this.#entity;
    let features = initial;
    const session = await authenticate({
      features,
      secure: entity.isSecure(),
      tlsVersion: this.#tlsSocket()?.getProtocol() ?? undefined,
      channelBinding: this.#channelBinding(),
      jid: this.#params.jid,
      password: this.#params.password,
      send: (el) => this.#send(el),
      expect: (match) => this.#waiter.expect(match, timeouts.auth, "auth"),
      chosen: (name, binding) =>
        this.#log.debug("SASL authenticating", {
          mechanism: name,
          channelBinding: binding ?? "none",
        }),
    });
    const mechanism = session.name;
    const login: LoginInfo = {
      path: "sasl1",
      mechanism,
      channelBinding: session.channelBinding,
      fast: false,
      tokenIssued: false,
      bind2: false,
      ssdp: session.ssdp ?? "unchecked",
      upgrades: [],
      tlsVersion: this.#tlsSocket()?.getProtocol() ?? undefined,
    };
    this.#log.debug("SASL succeeded", { mechanism, ssdp: login.ssdp });
    features = await this.#restart();
    this.#logFeatures(features);

    const smOffered = features.getChild("sm", NS_SM) !== undefined;
    if (request.resume && smOffered) {
      this.#log.debug("stream management: resuming", {
        previd: request.resume.id,
        h: request.resume.h,
      });
      const answer = await this.#roundTrip(
        xml("resume", { xmlns: NS_SM, h: request.resume.h, previd: request.resume.id }),
        (el) => el.attrs.xmlns === NS_SM && (el.name === "resumed" || el.name === "failed"),
        "resume",
      );
      if (answer.name === "resumed") {
        this.#log.debug("stream management: resumed", { h: answer.attrs.h });
        this.#negotiated = true;
        return {
          jid: this.#boundJid ?? "",
          resumed: true,
          ackedByServer: Number(answer.attrs.h),
          resumeFailed: false,
          streamManagement: { id: request.resume.id, resumable: true },
          secure: entity.isSecure(),
          mechanism,
          login,
        };
      }
      const failedH = answer.attrs.h === undefined ? undefined : Number(answer.attrs.h);
      this.#log.debug("stream management: resume failed; binding a new session", {
        h: answer.attrs.h,
        condition: answer.getChildElements()[0]?.name,
      });
      return {
        ...(await this.#bind(request, features, smOffered, mechanism)),
        resumeFailed: true,
        ackedByServer: failedH,
        login,
      };
    }
    if (request.resume) this.#log.debug("stream management: server offers no resumption");
    return { ...(await this.#bind(request, features, smOffered, mechanism)), login };
  }

  /**
   * Tries each endpoint in order until one gives a secure stream (or, with `tls.mode: "none"`,
   * an open one); resolves with its stream features. A failed TCP connect, TLS handshake or
   * STARTTLS moves on to the next endpoint; the error lists every attempt.
   */
  async #establish(): Promise<Element> {
    const endpoints = await this.#endpoints();
    const resolver = this.#addressResolver();
    const failures: { where: string; error: Error }[] = [];
    this.#establishing = true;
    try {
      for (const endpoint of endpoints) {
        let addresses: string[];
        try {
          addresses = await addressesOf(endpoint.host, resolver, this.#params.srv?.timeout ?? 0);
        } catch (error) {
          failures.push({ where: describeEndpoint(endpoint), error: error as Error });
          continue;
        }
        for (const address of addresses) {
          if (this.#closed) throw new ClawXmppError("connection", "connection closed");
          try {
            return await this.#attempt(endpoint, address);
          } catch (error) {
            const where = describeEndpoint(endpoint, address);
            this.#log.debug("endpoint failed", {
              endpoint: where,
              error: (error as Error).message,
            });
            failures.push({ where, error: error as Error });
            this.#abandonAttempt();
          }
        }
      }
    } finally {
      this.#establishing = false;
    }
    throw connectFailure(this.#params.domain, failures);
  }

  /** Endpoints to try: from SRV when asked for, else the configured host and port. */
  async #endpoints(): Promise<Endpoint[]> {
    const { srv, tls, domain, host, port } = this.#params;
    if (!srv || tls.mode === "none" || (skipsSrv(domain) && !srv.servers && !srv.resolver)) {
      return [{ host, port, tls: tls.mode, source: "configured" }];
    }
    const result = await lookupEndpoints(domain, tls.mode, srv, this.#resolver());
    this.#log.debug("DNS SRV lookup", {
      domain,
      ...result.answers,
      candidates: result.endpoints.map((e) => describeEndpoint(e)),
    });
    return result.endpoints;
  }

  #dns: SrvResolver | undefined;

  #resolver(): SrvResolver {
    this.#dns ??= dnsResolver(this.#params.srv ?? { timeout: 5_000 });
    return this.#dns;
  }

  /** SRV targets go through the configured DNS servers; with the system's, the OS resolves them. */
  #addressResolver(): SrvResolver | undefined {
    const srv = this.#params.srv;
    return srv && (srv.servers || srv.resolver) ? this.#resolver() : undefined;
  }

  /** One endpoint: TCP (and direct TLS) connect, stream open, STARTTLS; resolves with the secure features. */
  async #attempt(endpoint: Endpoint, address: string): Promise<Element> {
    const { timeouts } = this.#params;
    const entity = this.#entity;
    this.#streamError = undefined;
    this.#log.debug("TCP connecting", {
      host: endpoint.host,
      port: endpoint.port,
      ...(address !== endpoint.host ? { address } : {}),
      tls: endpoint.tls,
    });
    const connected = entity.connect(serviceUri(endpoint, address));
    // Taken now (connect() creates it synchronously) so a timed-out attempt's socket is destroyed.
    const raw = this.#rawSocket();
    if (raw) this.#attemptSockets.push(raw);
    await withTimeout(
      connected,
      endpoint.tls === "direct" ? timeouts.connect + timeouts.tls : timeouts.connect,
      "connect",
    ).catch((error: unknown) => {
      throw connectError(endpoint, error);
    });
    this.#log.debug("TCP connected", {
      host: endpoint.host,
      port: endpoint.port,
      address: raw?.remoteAddress,
      localPort: raw?.localPort,
    });
    if (endpoint.tls === "direct") this.#logTls("direct TLS");

    if (endpoint.tls === "starttls" && !entity.isSecure() && (await this.#mayPipeline())) {
      try {
        await this.#pipelinedStartTls();
      } catch (error) {
        if (ClawXmppError.isInstance(error) && error.terminal) throw error;
        // Whatever the server made of the early <starttls/>: the usual order on a new connection.
        this.#log.debug("pipelined STARTTLS failed; retrying in the usual order", {
          error: (error as Error).message,
        });
        // The login settings live as long as the client: it does not pipeline with this server again.
        if (this.#params.login) this.#params.login.pipelineStarttls = false;
        this.#abandonAttempt();
        return this.#attempt(endpoint, address);
      }
      this.#logTls("STARTTLS (pipelined)");
      const features = await this.#restart();
      this.#logFeatures(features);
      return features;
    }
    let features = await this.#openStream();
    this.#logFeatures(features);
    if (!entity.isSecure() && endpoint.tls !== "none") {
      this.#requireStartTls(features);
      await this.#startTls();
      this.#logTls("STARTTLS");
      features = await this.#restart();
      this.#logFeatures(features);
    }
    return features;
  }

  /** RFC 6120 §5.3.1: without STARTTLS on offer we do not log in (terminal). */
  #requireStartTls(features: Element): void {
    if (!features.getChild("starttls", NS_TLS)) {
      throw new ClawXmppError(
        "tls",
        `${this.#params.domain} does not offer STARTTLS; refusing to log in without TLS`,
        { terminal: true },
      );
    }
  }

  /**
   * Pipelining STARTTLS pays off on reconnects only, and is tried only where it worked before:
   * a stored FAST token means this server offered STARTTLS and SASL2 on an earlier login.
   */
  async #mayPipeline(): Promise<boolean> {
    const login = this.#params.login;
    if (!login?.sasl2 || !login.fast || !login.pipelineStarttls) return false;
    const token = await login.tokenStore.load().catch(() => undefined);
    return isFastToken(token);
  }

  /**
   * Stream header and `<starttls/>` in one flight, then the features (still checked: STARTTLS
   * must be on offer) and `<proceed/>`, then the TLS handshake. Nothing but the header and the
   * STARTTLS request is written before TLS.
   */
  async #pipelinedStartTls(): Promise<void> {
    const features = this.#waiter.expect(
      (el) => el.is("features", NS_STREAM),
      this.#params.timeouts.features,
      "features",
    );
    const answer = this.#waiter.expect(
      (el) => el.attrs.xmlns === NS_TLS,
      this.#params.timeouts.tls,
      "tls",
    );
    // Rejected together with `features` when the attempt fails; awaited below otherwise.
    answer.catch(() => {});
    this.#log.debug("STARTTLS pipelined behind the stream header (FAST token stored)");
    this.#entity.open({ domain: this.#params.domain }).catch(() => {});
    this.#send(xml("starttls", { xmlns: NS_TLS })).catch(() => {});
    const offered = await features;
    this.#logFeatures(offered);
    this.#requireStartTls(offered);
    if ((await answer).name !== "proceed") {
      throw new ClawXmppError("tls", "server refused the pipelined STARTTLS");
    }
    await this.#upgradeTls();
  }

  /** Drops a failed attempt's sockets and parser so the next endpoint starts clean. */
  #abandonAttempt(): void {
    const entity = this.#entity as unknown as { _detachParser(): void };
    this.#entity._detachSocket();
    entity._detachParser();
    for (const socket of this.#attemptSockets) socket.destroy();
    this.#attemptSockets = [];
    this.#waiter.failAll(new ClawXmppError("connection", "endpoint abandoned"));
  }

  /** The TCP socket under the stream (below any TLS layer). */
  #rawSocket(): NetSocket | undefined {
    const socket = this.#entity.socket as unknown;
    if (socket instanceof NetSocket) return socket;
    const inner = (socket as { socket?: unknown } | null)?.socket;
    return inner instanceof NetSocket ? inner : undefined;
  }

  #logTls(via: string): void {
    const socket = this.#tlsSocket();
    if (socket) this.#log.debug("TLS established", tlsSummary(socket, via, this.#params.domain));
  }

  #logFeatures(features: Element): void {
    this.#log.debug("stream features", featuresSummary(features, this.#entity.isSecure()));
  }

  #boundJid: string | undefined;

  async #bind(
    request: OpenRequest,
    features: Element,
    smOffered: boolean,
    mechanism: string,
  ): Promise<OpenResult> {
    const id = `bind-${Math.random().toString(36).slice(2)}`;
    if (!features.getChild("bind", NS_BIND))
      throw new ClawXmppError("protocol", "server offers no resource binding");
    const result = await this.#roundTrip(
      xml(
        "iq",
        { type: "set", id },
        xml("bind", { xmlns: NS_BIND }, xml("resource", {}, request.resource)),
      ),
      (el) => el.name === "iq" && el.attrs.id === id,
      "bind",
    );
    if (result.attrs.type === "error") throw StanzaError.fromElement(result);
    const jid = result.getChild("bind", NS_BIND)?.getChildText("jid");
    if (!jid) throw new ClawXmppError("protocol", "bind result carries no JID");
    this.#boundJid = jid;
    this.#log.debug("resource bound", { jid });

    const session = features.getChild("session", NS_SESSION);
    if (session && !session.getChild("optional")) {
      const sid = `sess-${Math.random().toString(36).slice(2)}`;
      await this.#roundTrip(
        xml("iq", { type: "set", id: sid }, xml("session", { xmlns: NS_SESSION })),
        (el) => el.name === "iq" && el.attrs.id === sid,
        "bind",
      );
    }

    let streamManagement: OpenResult["streamManagement"];
    if (request.enableStreamManagement && smOffered) {
      this.#log.debug("stream management: enabling");
      const answer = await this.#roundTrip(
        xml("enable", { xmlns: NS_SM, resume: "true" }),
        (el) => el.attrs.xmlns === NS_SM && (el.name === "enabled" || el.name === "failed"),
        "bind",
      );
      if (answer.name === "enabled") {
        streamManagement = {
          id: answer.attrs.id,
          max: answer.attrs.max === undefined ? undefined : Number(answer.attrs.max),
          resumable: answer.attrs.resume === "true" || answer.attrs.resume === "1",
        };
        this.#log.debug("stream management: enabled", { ...streamManagement });
      } else {
        this.#log.debug("stream management: enable failed", {
          condition: answer.getChildElements()[0]?.name,
        });
      }
    } else if (request.enableStreamManagement) {
      this.#log.debug("stream management: not offered");
    }
    this.#negotiated = true;
    return {
      jid,
      resumed: false,
      resumeFailed: false,
      streamManagement,
      secure: this.#entity.isSecure(),
      mechanism,
    };
  }

  /** The TLS socket under the stream, once it is encrypted. */
  #tlsSocket(): TLSSocket | undefined {
    const wrapper = this.#entity.socket as { socket?: unknown } | null;
    const inner = wrapper?.socket;
    return inner instanceof TLSSocket ? inner : undefined;
  }

  async #openStream(): Promise<Element> {
    const features = this.#waiter.expect(
      (el) => el.is("features", NS_STREAM),
      this.#params.timeouts.features,
      "features",
    );
    // Failures surface through the features wait (timeout, or the socket closing).
    this.#entity.open({ domain: this.#params.domain }).catch(() => {});
    return features;
  }

  async #restart(): Promise<Element> {
    const features = this.#waiter.expect(
      (el) => el.is("features", NS_STREAM),
      this.#params.timeouts.features,
      "features",
    );
    this.#entity.restart().catch(() => {});
    return features;
  }

  async #startTls(): Promise<void> {
    const answer = await this.#roundTrip(
      xml("starttls", { xmlns: NS_TLS }),
      (el) => el.attrs.xmlns === NS_TLS,
      "tls",
    );
    if (answer.name !== "proceed")
      throw new ClawXmppError("tls", "server refused STARTTLS", { terminal: true });
    await this.#upgradeTls();
  }

  /** After `<proceed/>`: the TLS handshake over the same socket (RFC 6120 §5.4.3.3). */
  async #upgradeTls(): Promise<void> {
    const { timeouts, domain, tls } = this.#params;
    const entity = this.#entity;
    const raw = entity.socket as unknown as import("node:net").Socket;
    const wrapper = new TlsSocket();
    wrapper.on("error", () => {});
    const secured = new Promise<void>((resolve, reject) => {
      const socket = tlsConnect({
        ...tlsConnectOptions({
          servername: domain,
          ca: tls.ca,
          minVersion: tls.minVersion,
          maxVersion: tls.maxVersion,
        }),
        socket: raw,
      });
      socket.setNoDelay(true);
      this.#attemptSockets.push(socket);
      socket.once("secureConnect", () => resolve());
      socket.once("error", (error: Error) =>
        reject(
          new ClawXmppError("tls", `TLS handshake with ${domain} failed: ${error.message}`, {
            cause: error,
            terminal: isCertificateError(error),
          }),
        ),
      );
      socket.on("error", () => {});
      wrapper._attachSocket(socket);
    });
    // The plain socket's listeners must not see TLS records.
    entity._detachSocket();
    await withTimeout(secured, timeouts.tls, "tls");
    entity._attachSocket(wrapper);
  }

  async #roundTrip(
    element: Element,
    match: (el: Element) => boolean,
    step: string,
  ): Promise<Element> {
    const answer = this.#waiter.expect(match, this.#stepTimeout(step), step);
    await this.#send(element);
    return answer;
  }

  #stepTimeout(step: string): number {
    const t = this.#params.timeouts;
    return step === "tls"
      ? t.tls
      : step === "auth"
        ? t.auth
        : step === "features"
          ? t.features
          : t.bind;
  }

  async #send(element: Element): Promise<void> {
    await this.#entity.send(element);
  }

  async write(elements: readonly Element[]): Promise<void> {
    if (this.#closed || !this.#entity.socket)
      throw new ClawXmppError("not-connected", "socket is closed");
    if (elements.length === 1 && elements[0]) await this.#entity.send(elements[0]);
    else await this.#entity.sendMany([...elements]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#log.debug("closing stream");
    try {
      await withTimeout(this.#entity.disconnect(), 2_000, "close");
    } catch {
      this.destroy();
    }
  }

  destroy(): void {
    const socket = this.#entity.socket as {
      socket?: { destroy(): void } | null;
      destroy?: () => void;
    } | null;
    if (socket instanceof NetSocket) socket.destroy();
    else socket?.socket?.destroy();
    for (const attempt of this.#attemptSockets) attempt.destroy();
    this.#establishing = false;
    if (!this.#closed) this.#onDisconnect({ clean: false });
  }
}

export { AuthError };
