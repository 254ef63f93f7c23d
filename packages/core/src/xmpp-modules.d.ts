// Local typings for the few @xmpp/* 0.14.0 internals the core composes.
// @types/xmpp__client breaks under NodeNext, so only what we use is declared here.
declare module "@xmpp/xml" {
  import type { Element as XmlElement } from "./xml.js";
  export function xml(
    name: string,
    attrs?: Record<string, unknown> | null,
    ...children: unknown[]
  ): XmlElement;
  export const Element: new (name: string, attrs?: Record<string, string>) => XmlElement;
  export class Parser {
    write(data: string): void;
    end(data?: string): void;
    on(event: string, fn: (...args: never[]) => void): this;
  }
  export default xml;
}

declare module "@xmpp/client-core" {
  import type { EventEmitter } from "node:events";
  import type { Element } from "./xml.js";
  export class Client extends EventEmitter {
    constructor(options: Record<string, unknown>);
    transports: unknown[];
    socket: (EventEmitter & { secure?: boolean; socket?: unknown; write?: unknown }) | null;
    status: string;
    options: { domain: string; service: string; lang?: string };
    jid: unknown;
    timeout: number;
    root: Element | null;
    isSecure(): boolean;
    connect(service: string): Promise<void>;
    open(options: { domain: string; lang?: string }): Promise<Element>;
    restart(): Promise<Element>;
    send(element: Element): Promise<void>;
    sendMany(elements: Element[]): Promise<void>;
    write(data: string): Promise<void>;
    disconnect(): Promise<unknown>;
    _attachSocket(socket: unknown): void;
    _detachSocket(): void;
    _status(status: string, ...args: unknown[]): void;
  }
}

declare module "@xmpp/tcp/lib/Connection.js" {
  const ConnectionTCP: {
    new (): unknown;
    prototype: { Socket: unknown; socketParameters(s: string): unknown };
  };
  export default ConnectionTCP;
}

declare module "@xmpp/tls/lib/Connection.js" {
  const ConnectionTLS: {
    new (): unknown;
    prototype: { Socket: unknown; socketParameters(s: string): unknown };
  };
  export default ConnectionTLS;
}

declare module "@xmpp/tls/lib/Socket.js" {
  import { EventEmitter } from "node:events";
  export default class Socket extends EventEmitter {
    socket: import("node:tls").TLSSocket | null;
    secure: boolean;
    connect(options: import("node:tls").ConnectionOptions): void;
    _attachSocket(socket: import("node:tls").TLSSocket): void;
    end(): void;
    write(data: string, fn?: (err?: Error | null) => void): void;
  }
}
