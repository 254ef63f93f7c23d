/**
 * The real transport: @xmpp/client-core's stream framing over our sockets,
 * with stream negotiation driven step by step so each step has a timeout:
 * TCP connect → (STARTTLS, RFC 6120 §5) → SASL (§6) → XEP-0198 resume or
 * resource binding (§7) + XEP-0198 enable.
 */
import { Socket as NetSocket } from "node:net";
import { TLSSocket, connect as tlsConnect } from "node:tls";
import { Client as Entity } from "@xmpp/client-core";
import TlsSocket from "@xmpp/tls/lib/Socket.js";
import { AuthError, ClawXmppError, StanzaError, StreamError } from "../errors.js";
import type { OpenRequest, OpenResult, Transport, TransportParams } from "../transport.js";
import { type Element, xml } from "../xml.js";
import { channelBindingData } from "./channel-binding.js";
import { authenticate } from "./sasl.js";
import { tlsConnectOptions, transportClasses } from "./sockets.js";
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
  #negotiated = false;
  #closed = false;
  #streamError: StreamError | undefined;

  constructor(params: TransportParams) {
    this.#params = params;
    const entity = new Entity({ domain: params.domain, service: this.#service() });
    entity.transports.push(
      ...transportClasses({
        servername: params.domain,
        ca: params.tls.ca,
        minVersion: params.tls.minVersion,
        maxVersion: params.tls.maxVersion,
      }),
    );
    entity.timeout = params.timeouts.features;
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

  #service(): string {
    const { host, port, tls } = this.#params;
    const h = host.includes(":") ? `[${host}]` : host;
    return `${tls.mode === "direct" ? "xmpps" : "xmpp"}://${h}:${port}`;
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
    this.#closed = true;
    const error =
      this.#streamError ??
      (info?.reason instanceof Error
        ? new ClawXmppError("connection", `connection lost: ${info.reason.message}`, {
            cause: info.reason,
          })
        : info?.clean
          ? undefined
          : new ClawXmppError("connection", "connection lost"));
    this.#waiter.failAll(error ?? new ClawXmppError("connection", "connection closed"));
    this.#params.listener.closed(error);
  }

  async open(request: OpenRequest): Promise<OpenResult> {
    const { timeouts, tls, domain } = this.#params;
    const entity = this.#entity;
    try {
      const { host, port } = this.#params;
      await withTimeout(
        entity.connect(this.#service()),
        tls.mode === "direct" ? timeouts.connect + timeouts.tls : timeouts.connect,
        "connect",
      ).catch((error: unknown) => {
        if (ClawXmppError.isInstance(error)) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new ClawXmppError("connection", `cannot connect to ${host}:${port}: ${reason}`, {
          cause: error,
        });
      });
      let features = await this.#openStream();

      if (!entity.isSecure() && tls.mode !== "none") {
        if (!features.getChild("starttls", NS_TLS)) {
          throw new ClawXmppError(
            "tls",
            `${domain} does not offer STARTTLS; refusing to log in without TLS`,
            {
              terminal: true,
            },
          );
        }
        await this.#startTls();
        features = await this.#restart();
      }

      const tlsSocket = this.#tlsSocket();
      const mechanism = await authenticate({
        features,
        secure: entity.isSecure(),
        tlsVersion: tlsSocket?.getProtocol() ?? undefined,
        channelBinding: (type) => (tlsSocket ? channelBindingData(tlsSocket, type) : undefined),
        jid: this.#params.jid,
        password: this.#params.password,
        send: (el) => this.#send(el),
        expect: (match) => this.#waiter.expect(match, timeouts.auth, "auth"),
      });
      features = await this.#restart();

      const smOffered = features.getChild("sm", NS_SM) !== undefined;
      if (request.resume && smOffered) {
        const answer = await this.#roundTrip(
          xml("resume", { xmlns: NS_SM, h: request.resume.h, previd: request.resume.id }),
          (el) => el.attrs.xmlns === NS_SM && (el.name === "resumed" || el.name === "failed"),
          "resume",
        );
        if (answer.name === "resumed") {
          this.#negotiated = true;
          return {
            jid: this.#boundJid ?? "",
            resumed: true,
            ackedByServer: Number(answer.attrs.h),
            resumeFailed: false,
            streamManagement: { id: request.resume.id, resumable: true },
            secure: entity.isSecure(),
            mechanism,
          };
        }
        const failedH = answer.attrs.h === undefined ? undefined : Number(answer.attrs.h);
        return {
          ...(await this.#bind(request, features, smOffered, mechanism)),
          resumeFailed: true,
          ackedByServer: failedH,
        };
      }
      return await this.#bind(request, features, smOffered, mechanism);
    } catch (error) {
      this.destroy();
      throw error;
    }
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
      }
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
    const { timeouts, domain, tls } = this.#params;
    const answer = await this.#roundTrip(
      xml("starttls", { xmlns: NS_TLS }),
      (el) => el.attrs.xmlns === NS_TLS,
      "tls",
    );
    if (answer.name !== "proceed")
      throw new ClawXmppError("tls", "server refused STARTTLS", { terminal: true });
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
    if (!this.#closed) this.#onDisconnect({ clean: false });
  }
}

function isCertificateError(error: Error): boolean {
  const code = (error as { code?: string }).code ?? "";
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/u.test(code);
}

export { AuthError };
