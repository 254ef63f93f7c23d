/**
 * Hooks the XML trace into an @xmpp/client-core entity: stream headers and
 * footers as written, every element sent (redacted before it is turned into
 * text) and every element received, in stream order. Installed only when
 * the trace is on, so the stanza path is untouched otherwise.
 */
import type { Client as Entity } from "@xmpp/client-core";
import type { TraceDirection, TraceFn } from "../trace.js";
import type { Element } from "../xml.js";
import { traceText } from "./redact.js";

/** Wraps `entity`'s send/write paths and listens to what it parses. */
export function attachTrace(entity: Entity, trace: TraceFn): void {
  const emit = (direction: TraceDirection, text: string) => {
    try {
      trace(direction, text);
    } catch {
      // A broken trace sink must not break the connection.
    }
  };
  const send = entity.send.bind(entity);
  const sendMany = entity.sendMany.bind(entity);
  const write = entity.write.bind(entity);
  entity.send = (element: Element) => {
    emit("out", traceText(element));
    return send(element);
  };
  entity.sendMany = (elements: Element[]) => {
    for (const element of elements) emit("out", traceText(element));
    return sendMany(elements);
  };
  // Elements reach write() already traced above; only stream headers and footers are raw text.
  entity.write = (data: string) => {
    if (data.startsWith("<?xml") || data.startsWith("</stream:stream")) emit("out", data);
    return write(data);
  };
  // client-core can report one stream's close twice; trace it once per opened stream.
  let open = false;
  entity.on("open", (header: Element) => {
    open = true;
    emit("in", openTag(header));
  });
  entity.on("element", (element: Element) => emit("in", traceText(element)));
  entity.on("close", () => {
    if (open) emit("in", "</stream:stream>");
    open = false;
  });
}

/** The received stream header as an opening tag (the parser hands it over as an empty element). */
function openTag(header: Element): string {
  const text = header.toString();
  return text.endsWith("/>") ? `${text.slice(0, -2)}>` : text;
}
