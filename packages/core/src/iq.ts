/**
 * IQ requests and handlers (RFC 6120 §8.2.3). Responses are matched by id
 * *and* sender, so a third party cannot answer our request; every request
 * has a timeout; every unhandled get/set is answered `service-unavailable`
 * exactly once.
 */
import type { Disposer } from "./emitter.js";
import { ClawXmppError, StanzaError, TimeoutError } from "./errors.js";
import { tryParseJid } from "./jid.js";
import { randomStanzaId } from "./stanza-id.js";
import { type Element, xml } from "./xml.js";

const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

/** Options of one IQ request. */
export interface IqRequestOptions {
  /** Milliseconds to wait for the answer. @default the client's `timeouts.iq` */
  timeout?: number;
  /** Part of the current session's setup: rejected with `connection` if that session ends first. */
  setup?: boolean;
}

/** Sends IQ requests. */
export interface IqCaller {
  /** Sends an IQ `get` with `child` to `to` (the account's server when omitted); resolves with the result stanza. */
  get(child: Element, to?: string, options?: IqRequestOptions): Promise<Element>;
  /** Sends an IQ `set`. */
  set(child: Element, to?: string, options?: IqRequestOptions): Promise<Element>;
}

/** What an IQ handler receives. */
export interface IqRequest {
  stanza: Element;
  /** The request's payload element. */
  child: Element;
  from: string | undefined;
}

/** Answers IQ requests; return a payload element (or nothing) for a result, throw a StanzaError for an error. */
export type IqHandler = (request: IqRequest) => Element | undefined | Promise<Element | undefined>;

/** Registry of IQ handlers keyed by type, namespace and element name. */
export interface IqHandlers {
  /** Registers the handler for `type` + `xmlns` + `name`; a second registration for the same key throws. */
  register(type: "get" | "set", xmlns: string, name: string, handler: IqHandler): Disposer;
}

interface PendingIq {
  resolve(stanza: Element): void;
  reject(error: Error): void;
  to: string | undefined;
  cancelTimer(): void;
  /** The server has the request (written, or acked with XEP-0198). */
  delivered: boolean;
}

/** IQ caller + handler registry owned by the client. */
export class IqRouter implements IqCaller, IqHandlers {
  readonly #pending = new Map<string, PendingIq>();
  readonly #handlers = new Map<string, IqHandler>();
  readonly #send: (stanza: Element, setup?: boolean) => Promise<unknown>;
  readonly #defaultTimeout: () => number;
  readonly #ownJid: () => string | undefined;
  readonly #schedule: (fn: () => void, ms: number) => Disposer;

  constructor(deps: {
    send: (stanza: Element, setup?: boolean) => Promise<unknown>;
    defaultTimeout: () => number;
    ownJid: () => string | undefined;
    schedule: (fn: () => void, ms: number) => Disposer;
  }) {
    this.#send = deps.send;
    this.#defaultTimeout = deps.defaultTimeout;
    this.#ownJid = deps.ownJid;
    this.#schedule = deps.schedule;
  }

  get(child: Element, to?: string, options?: IqRequestOptions): Promise<Element> {
    return this.#request("get", child, to, options);
  }

  set(child: Element, to?: string, options?: IqRequestOptions): Promise<Element> {
    return this.#request("set", child, to, options);
  }

  #request(
    type: "get" | "set",
    child: Element,
    to: string | undefined,
    options: IqRequestOptions = {},
  ): Promise<Element> {
    const id = randomStanzaId();
    const ms = options.timeout ?? this.#defaultTimeout();
    return new Promise<Element>((resolve, reject) => {
      const cancelTimer = this.#schedule(() => {
        this.#pending.delete(id);
        reject(new TimeoutError(`iq ${child.name} ${child.attrs.xmlns ?? ""}`.trim(), ms));
      }, ms);
      const pending: PendingIq = { resolve, reject, to, cancelTimer, delivered: false };
      this.#pending.set(id, pending);
      this.#send(xml("iq", { type, id, to }, child), options.setup).then(
        () => {
          pending.delivered = true;
        },
        (error: unknown) => {
          cancelTimer();
          this.#pending.delete(id);
          reject(error);
        },
      );
    });
  }

  register(type: "get" | "set", xmlns: string, name: string, handler: IqHandler): Disposer {
    const key = `${type} ${xmlns} ${name}`;
    if (this.#handlers.has(key))
      throw new ClawXmppError("protocol", `an IQ handler for ${key} is already registered`);
    this.#handlers.set(key, handler);
    return () => {
      if (this.#handlers.get(key) === handler) this.#handlers.delete(key);
    };
  }

  /**
   * Settles one of our requests with its response (`result`/`error`). Called as the response
   * arrives, never queued behind other stanzas: a stage handler may be awaiting it.
   */
  handleResponse(stanza: Element): void {
    const { type, id } = stanza.attrs;
    const pending = id === undefined ? undefined : this.#pending.get(id);
    if (!pending || !id || !this.#fromMatches(pending.to, stanza.attrs.from)) return;
    this.#pending.delete(id);
    pending.cancelTimer();
    if (type === "result") pending.resolve(stanza);
    else pending.reject(StanzaError.fromElement(stanza));
  }

  /**
   * Answers a request (`get`/`set`) exactly once. The reply is queued without waiting for the
   * server's acknowledgement, so a busy requester never slows down the next request.
   */
  handleRequest(stanza: Element): void | Promise<void> {
    const type = stanza.attrs.type;
    const child = stanza.getChildElements()[0];
    const handler = child && this.#handlers.get(`${type} ${child.attrs.xmlns ?? ""} ${child.name}`);
    if (!child || !handler) {
      this.reply(stanza, errorPayload("cancel", "service-unavailable"), "error");
      return;
    }
    let payload: Element | undefined | Promise<Element | undefined>;
    try {
      payload = handler({ stanza, child, from: stanza.attrs.from });
    } catch (error) {
      this.#replyError(stanza, error);
      return;
    }
    if (!(payload instanceof Promise)) {
      this.reply(stanza, payload, "result");
      return;
    }
    return payload.then(
      (result) => this.reply(stanza, result, "result"),
      (error: unknown) => this.#replyError(stanza, error),
    );
  }

  #replyError(request: Element, error: unknown): void {
    let payload: Element;
    if (error instanceof StanzaError) {
      // A handler that built the whole <error/> (with an application condition, RFC 6120 §8.3.2)
      // gets it sent as built; otherwise it is made from condition, type and text.
      const built =
        error.element?.name === "error" ? error.element : error.element?.getChild("error");
      payload = built
        ? xml("error", { ...built.attrs }, ...built.getChildElements())
        : errorPayload(error.type, error.condition, error.text);
    } else {
      payload = errorPayload("wait", "internal-server-error");
    }
    this.reply(request, payload, "error");
  }

  /** Sends a response to `request` (fire and forget: the requester times out if we are offline). */
  reply(request: Element, payload: Element | undefined, type: "result" | "error"): void {
    this.#send(xml("iq", { type, id: request.attrs.id, to: request.attrs.from }, payload)).catch(
      () => {},
    );
  }

  /** An error response built from a condition (RFC 6120 §8.3.3). */
  replyError(request: Element, type: string, condition: string, text?: string): void {
    this.reply(request, errorPayload(type, condition, text), "error");
  }

  /** Registered handler keys and pending requests (introspection). */
  inspect(): { handlers: string[]; pending: number } {
    return { handlers: [...this.#handlers.keys()].sort(), pending: this.#pending.size };
  }

  /** A response is valid only from the entity we asked (or our server/account when we asked it). */
  #fromMatches(to: string | undefined, from: string | undefined): boolean {
    const own = tryParseJid(this.#ownJid());
    const asked = tryParseJid(to);
    const answered = tryParseJid(from);
    if (!asked)
      return (
        from === undefined ||
        (own !== undefined &&
          (answered?.full === own.bare ||
            answered?.full === own.domain ||
            answered?.full === own.full))
      );
    if (!answered) return own !== undefined && asked.bare === own.bare;
    return (
      answered.full === asked.full ||
      (own !== undefined && asked.full === own.bare && answered.full === own.full)
    );
  }

  /** A new session replaced a lost one: answers to requests it already had will never come. */
  sessionLost(): void {
    for (const [id, pending] of this.#pending) {
      if (!pending.delivered) continue;
      pending.cancelTimer();
      this.#pending.delete(id);
      pending.reject(
        new ClawXmppError("connection", "the connection was lost before the answer arrived"),
      );
    }
  }

  /** Rejects every pending request (client stopped). */
  rejectAll(error: Error): void {
    for (const [id, pending] of this.#pending) {
      pending.cancelTimer();
      pending.reject(error);
      this.#pending.delete(id);
    }
  }
}

function errorPayload(type: string, condition: string, text?: string): Element {
  return xml(
    "error",
    { type },
    xml(condition, { xmlns: NS_STANZAS }),
    text !== undefined && xml("text", { xmlns: NS_STANZAS }, text),
  );
}
