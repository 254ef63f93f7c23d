// Local typings for the part of @xmpp/client 0.14.0 the baselines use
// (@types/xmpp__client breaks under NodeNext).
declare module "@xmpp/client" {
  import type { EventEmitter } from "node:events";

  /** An xmpp.js/ltx element. */
  export interface XmppElement {
    name: string;
    attrs: Record<string, string | undefined>;
    is(name: string, xmlns?: string): boolean;
    getChildText(name: string, xmlns?: string): string | null;
  }

  /** The client entity returned by `client()`. */
  export interface XmppClient extends EventEmitter {
    /** The current socket: a net.Socket, or xmpp.js's TLS wrapper with the TLSSocket in `.socket`. */
    socket: (EventEmitter & { socket?: import("node:net").Socket | null }) | null;
    status: string;
    start(): Promise<unknown>;
    stop(): Promise<unknown>;
    send(element: XmppElement): Promise<void>;
  }

  export function client(options: {
    service: string;
    domain?: string;
    username?: string;
    password?: string;
    resource?: string;
  }): XmppClient;

  export function xml(
    name: string,
    attrs?: Record<string, string | undefined> | null,
    ...children: (XmppElement | string)[]
  ): XmppElement;
}
