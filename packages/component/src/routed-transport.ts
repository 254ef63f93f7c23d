/**
 * Puts {@link Routing} between core and a transport: what core writes is
 * addressed (and wrapped) on its way out; what arrives is unwrapped or
 * consumed on its way in. The inner transport is the XEP-0114 socket, or a
 * fake one in unit tests.
 */
import type { Transport, TransportFactory } from "@clawxmpp/core";
import type { Routing } from "./routing.js";

/** Wraps `inner` so every element passes through `routing`. */
export function routedTransport(inner: TransportFactory, routing: Routing): TransportFactory {
  return (params) => {
    let transport: Transport | undefined;
    const reply = (answer: Parameters<Routing["outbound"]>[0]) => {
      void transport?.write([answer]).catch(() => {});
    };
    transport = inner({
      ...params,
      listener: {
        element: (element) => {
          const routed = routing.inbound(element, reply);
          if (routed) params.listener.element(routed);
        },
        closed: (error) => params.listener.closed(error),
      },
    });
    const t = transport;
    return {
      open: (request) => t.open(request),
      write: (elements) => t.write(elements.map((element) => routing.outbound(element))),
      close: () => t.close(),
      destroy: () => t.destroy(),
    };
  };
}
