/**
 * The XEP-0114 socket: TCP (or direct TLS) to the server's component port,
 * the `jabber:component:accept` stream header, then `<handshake>` with the
 * SHA-1 digest (§3). No SASL, no binding, no stream management: `open()`
 * resolves with the component's domain as its JID. Implements core's
 * `Transport`, so core's session gives reconnect, backoff, keepalive and the
 * outbound queue unchanged.
 */
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { Element, Logger, OpenResult, Transport, TransportParams } from "@clawxmpp/core";
import { ClawXmppError, TimeoutError } from "@clawxmpp/core";
import { Parser } from "@xmpp/xml";
import { ComponentError } from "./component-error.js";
import { handshakeDigest, streamErrorOf, streamHeader } from "./handshake.js";

/** How the socket reaches the server. */
export interface SocketSettings {
  domain: string;
  secret: string;
  host: string;
  port: number;
  /** Direct TLS to the component port (most component ports are plaintext on a private network). */
  tls: { enabled: boolean; ca?: string | string[] | undefined; servername?: string | undefined };
  /** TCP connect + handshake, in ms. */
  timeout: number;
  /** Largest single element accepted from the server, in bytes of XML. */
  maxElementBytes: number;
  logger: Logger;
}

/** A transport factory for core that ignores core's c2s parameters and speaks XEP-0114. */
export function socketTransport(settings: SocketSettings) {
  return (params: TransportParams): Transport => new ComponentSocket(settings, params);
}

class ComponentSocket implements Transport {
  readonly #settings: SocketSettings;
  readonly #params: TransportParams;
  #socket: Socket | undefined;
  #parser: Parser | undefined;
  #online = false;
  #closed = false;
  #bytesSinceElement = 0;

  constructor(settings: SocketSettings, params: TransportParams) {
    this.#settings = settings;
    this.#params = params;
  }

  open(): Promise<OpenResult> {
    const { domain, secret, host, port, tls, timeout, logger } = this.#settings;
    return new Promise<OpenResult>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.destroy();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new TimeoutError("component handshake", timeout)),
        timeout,
      );
      timer.unref();

      const socket = tls.enabled
        ? tlsConnect({ host, port, ca: tls.ca, servername: tls.servername ?? domain })
        : netConnect({ host, port });
      socket.setNoDelay(true);
      this.#socket = socket;
      const parser = new Parser();
      this.#parser = parser;
      let streamId: string | undefined;

      parser.on("start", (header: Element) => {
        streamId = header.attrs.id;
        this.#trace("in", header.toString().replace(/\/>$/u, ">"));
        if (!streamId) {
          fail(new ComponentError("protocol", "the server's stream header has no id"));
          return;
        }
        this.#write(
          `<handshake>${handshakeDigest(streamId, secret)}</handshake>`,
          "<handshake>…</handshake>",
        );
      });
      parser.on("element", (element: Element) => {
        this.#bytesSinceElement = 0;
        this.#trace("in", element.toString());
        if (!this.#online) {
          if (element.name === "handshake") {
            this.#online = true;
            settled = true;
            clearTimeout(timer);
            logger.debug("component handshake accepted", { domain });
            resolve({
              jid: domain,
              resumed: false,
              resumeFailed: false,
              secure: tls.enabled,
              mechanism: "handshake",
            });
          } else if (element.name === "stream:error") {
            fail(streamErrorOf(element, "handshake"));
          }
          // Anything else before the handshake answer is ignored (XEP-0114 allows nothing else).
          return;
        }
        if (element.name === "stream:error") {
          this.#lost(streamErrorOf(element, "session"));
          return;
        }
        this.#params.listener.element(element);
      });
      parser.on("end", () => {
        if (!settled)
          fail(new ComponentError("protocol", "the server closed the stream during the handshake"));
        else
          this.#lost(new ClawXmppError("connection", "[component] the server closed the stream"));
      });
      parser.on("error", (error: Error) => {
        const err = new ClawXmppError(
          "protocol",
          `[component] unreadable XML from the server: ${error.message}`,
        );
        if (!settled) fail(err);
        else this.#lost(err);
      });

      socket.on(tls.enabled ? "secureConnect" : "connect", () => {
        this.#write(streamHeader(domain));
      });
      socket.on("data", (chunk: Buffer) => {
        this.#bytesSinceElement += chunk.length;
        if (this.#bytesSinceElement > this.#settings.maxElementBytes) {
          const err = new ComponentError(
            "protocol",
            `an element from the server exceeds ${this.#settings.maxElementBytes} bytes`,
          );
          if (!settled) fail(err);
          else this.#lost(err);
          return;
        }
        try {
          parser.write(chunk.toString("utf8"));
        } catch (error) {
          const err = new ClawXmppError(
            "protocol",
            `[component] unreadable XML: ${(error as Error).message}`,
          );
          if (!settled) fail(err);
          else this.#lost(err);
        }
      });
      socket.on("error", (error: Error) => {
        const err = new ClawXmppError(
          "connection",
          `[component] ${host}:${port}: ${error.message}`,
          { cause: error },
        );
        if (!settled) fail(err);
        else this.#lost(err);
      });
      socket.on("close", () => {
        if (!settled)
          fail(
            new ClawXmppError("connection", `[component] ${host}:${port} closed the connection`),
          );
        else this.#lost(undefined);
      });
    });
  }

  write(elements: readonly Element[]): Promise<void> {
    const socket = this.#socket;
    if (!socket || this.#closed || socket.destroyed)
      return Promise.reject(new ClawXmppError("not-connected", "[component] not connected"));
    let data = "";
    for (const element of elements) {
      const text = element.toString();
      this.#trace("out", text);
      data += text;
    }
    return new Promise<void>((resolve, reject) => {
      socket.write(data, (error) =>
        error
          ? reject(new ClawXmppError("connection", `[component] write failed: ${error.message}`))
          : resolve(),
      );
    });
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    if (!socket || this.#closed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, 2_000);
      timer.unref();
      socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end("</stream:stream>");
    });
    this.#lost(undefined);
  }

  destroy(): void {
    this.#socket?.destroy();
    this.#lost(new ClawXmppError("connection", "[component] connection dropped"));
  }

  /** Reports the loss once; only an established stream goes offline through the listener. */
  #lost(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket?.destroy();
    this.#parser?.removeAllListeners();
    if (this.#online) this.#params.listener.closed(error);
  }

  #write(text: string, traced = text): void {
    this.#trace("out", traced);
    this.#socket?.write(text);
  }

  #trace(direction: "in" | "out", text: string): void {
    this.#params.trace?.(direction, text);
  }
}
