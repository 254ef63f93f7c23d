/**
 * An in-memory transport for unit tests: the client under test runs its real
 * pipeline, queue and plugins; the test plays the server by inspecting
 * `sent` and calling `receive()`.
 */
import {
  type Element,
  type OpenRequest,
  type OpenResult,
  type Transport,
  type TransportFactory,
  type TransportParams,
  xml,
} from "@clawxmpp/core";

const NS_SM = "urn:xmpp:sm:3";

/** Control over the fake server side. */
export interface FakeServer {
  /** The transport factory to pass as `transport` in the client options. */
  readonly factory: TransportFactory;
  /** Every element the client wrote, across connections. */
  readonly sent: Element[];
  /** Open requests seen, in order. */
  readonly opens: OpenRequest[];
  /** Delivers an element to the client as if the server sent it. */
  receive(element: Element): void;
  /** Drops the current connection. */
  drop(error?: Error): void;
  /** Makes the next `open()` calls fail with `error` (once each). */
  failNextOpen(...errors: Error[]): void;
  /** Customises the result of the next successful `open()`. */
  nextOpenResult: Partial<OpenResult> | undefined;
  /** Resolves with the next element the client writes that matches `match`. */
  nextSent(match?: (element: Element) => boolean, ms?: number): Promise<Element>;
  /** Whether a connection is up. */
  readonly connected: boolean;
  /**
   * Stanzas the server has received in the current XEP-0198 session (its `h`); reset when a new
   * session enables stream management, kept across a resumption.
   */
  readonly handled: number;
  /** Makes the next open resume the XEP-0198 session when the client asks to (§5), with `h` = {@link handled}. */
  acceptResume(): void;
}

/** Options of {@link fakeServer}. */
export interface FakeServerOptions {
  /** Full JID bound on open. @default `${jid}/fake` */
  jid?: string;
  /** Offer XEP-0198 stream management (enabled, resumable). @default false */
  streamManagement?: boolean;
  /** Answer every `<r/>` with `<a h/>` at once, like a server (needs `streamManagement`). @default false */
  autoAck?: boolean;
}

/** Creates a fake server. */
export function fakeServer(options: FakeServerOptions = {}): FakeServer {
  const sent: Element[] = [];
  const opens: OpenRequest[] = [];
  const failures: Error[] = [];
  const waiters: { match: (el: Element) => boolean; resolve: (el: Element) => void }[] = [];
  let current: { params: TransportParams; open: boolean } | undefined;
  let handled = 0;
  let resumeNext = false;

  const server: FakeServer = {
    sent,
    opens,
    nextOpenResult: undefined,
    get connected() {
      return current?.open === true;
    },
    get handled() {
      return handled;
    },
    acceptResume() {
      resumeNext = true;
    },
    factory(params) {
      const connection = { params, open: false };
      const transport: Transport = {
        async open(request) {
          opens.push(request);
          const failure = failures.shift();
          if (failure) throw failure;
          current = connection;
          connection.open = true;
          const sm = options.streamManagement ?? false;
          const resuming = resumeNext && sm && request.resume !== undefined;
          resumeNext = false;
          const result: OpenResult = {
            jid: options.jid ?? `${params.jid}/fake`,
            resumed: false,
            resumeFailed: false,
            ackedByServer: undefined,
            streamManagement:
              request.enableStreamManagement && sm ? { id: "sm-1", resumable: true } : undefined,
            secure: true,
            mechanism: "SCRAM-SHA-256",
            ...(resuming ? { resumed: true, ackedByServer: handled } : {}),
            ...server.nextOpenResult,
          };
          if (!result.resumed && result.streamManagement) handled = 0;
          server.nextOpenResult = undefined;
          // As on a real stream, the XEP-0198 answer reaches the client before open() resolves.
          if (result.resumed) {
            params.listener.element(
              xml("resumed", {
                xmlns: NS_SM,
                h: result.ackedByServer ?? 0,
                previd: request.resume?.id,
              }),
            );
          } else if (result.streamManagement) {
            params.listener.element(
              xml("enabled", { xmlns: NS_SM, id: result.streamManagement.id, resume: "true" }),
            );
          }
          return result;
        },
        async write(elements) {
          // Like a socket, a write completes later: a test may call the client, then wait for
          // what it sends with `nextSent()`.
          await null;
          if (!connection.open) throw new Error("fake socket closed");
          for (const element of elements) {
            sent.push(element);
            if (element.name === "message" || element.name === "presence" || element.name === "iq")
              handled++;
            if (options.autoAck && element.name === "r" && element.attrs.xmlns === NS_SM) {
              // Like a server: the answer arrives after the write returns.
              queueMicrotask(() => {
                if (connection.open)
                  params.listener.element(xml("a", { xmlns: NS_SM, h: handled }));
              });
            }
            const index = waiters.findIndex((w) => w.match(element));
            if (index !== -1) waiters.splice(index, 1)[0]?.resolve(element);
          }
        },
        async close() {
          if (!connection.open) return;
          connection.open = false;
          params.listener.closed(undefined);
        },
        destroy() {
          if (!connection.open) return;
          connection.open = false;
          params.listener.closed(new Error("destroyed"));
        },
      };
      return transport;
    },
    receive(element) {
      if (!current?.open) throw new Error("fake server: no open connection to deliver to");
      current.params.listener.element(element);
    },
    drop(error = new Error("connection reset")) {
      if (!current?.open) return;
      current.open = false;
      current.params.listener.closed(error);
    },
    failNextOpen(...errors) {
      failures.push(...errors);
    },
    nextSent(match = () => true, ms = 2_000) {
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve };
        waiters.push(waiter);
        const timer = setTimeout(() => {
          const index = waiters.indexOf(waiter);
          if (index !== -1) waiters.splice(index, 1);
          reject(new Error(`fake server: nothing matching was sent within ${ms} ms`));
        }, ms);
        timer.unref();
        const original = waiter.resolve;
        waiter.resolve = (el) => {
          clearTimeout(timer);
          original(el);
        };
      });
    },
  };
  return server;
}
