/**
 * A bounded parser for one standalone XML element held as text (XML 1.0 as
 * XMPP restricts it, RFC 6120 § 11): decrypted OMEMO 2 / XEP-0420 envelopes
 * and other XML that arrives inside a payload rather than on the stream.
 * It wraps `@xmpp/xml`'s stream parser (ltx: no DTDs, no external entities),
 * refuses text longer than `maxBytes` before parsing and trees deeper than
 * `maxDepth`, and accepts exactly one root element with nothing but
 * whitespace around it.
 */
import { Parser } from "@xmpp/xml";
import { ClawXmppError } from "./errors.js";
import type { Element } from "./xml.js";

/** Bounds of {@link parseXml}. */
export interface ParseXmlOptions {
  /** Largest input, in UTF-8 bytes. Default 256 KiB. */
  maxBytes?: number;
  /** Deepest nesting (the root is depth 1). Default 32. */
  maxDepth?: number;
}

const DEFAULT_MAX_BYTES = 256 * 1024;
const DEFAULT_MAX_DEPTH = 32;
// A wrapper the text cannot close early without leaving an unbalanced document.
const WRAPPER = "clawxmpp-parse-xml-root";

const fail = (message: string, cause?: unknown) =>
  new ClawXmppError("protocol", `[core] parseXml: ${message}`, cause ? { cause } : {});

/** The depth of a tree, walked without recursion. */
function depthOf(root: Element): number {
  let deepest = 0;
  const stack: [Element, number][] = [[root, 1]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [element, depth] = entry;
    if (depth > deepest) deepest = depth;
    for (const child of element.children) {
      if (typeof child !== "string") stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

/** Parses `text` into its one element; throws a `protocol` error for anything else. */
export function parseXml(text: string, options: ParseXmlOptions = {}): Element {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (Buffer.byteLength(text, "utf8") > maxBytes) throw fail(`more than ${maxBytes} bytes`);
  // A document type declaration or processing instruction has no place in XMPP (RFC 6120 § 11.1).
  if (/<[!?]/u.test(text.replace(/<!\[CDATA\[[\s\S]*?\]\]>/gu, ""))) {
    throw fail("declarations, comments and processing instructions are not allowed");
  }
  const parser = new Parser();
  const elements: Element[] = [];
  let error: Error | undefined;
  let ended = 0;
  let wrapper: Element | undefined;
  parser.on("start", (element: Element) => {
    wrapper = element;
  });
  parser.on("element", (element: Element) => {
    elements.push(element);
  });
  parser.on("end", () => {
    ended++;
  });
  parser.on("error", (e: Error) => {
    error ??= e;
  });
  try {
    parser.write(`<${WRAPPER}>`);
    parser.write(text);
    parser.write(`</${WRAPPER}>`);
    parser.end();
  } catch (e) {
    throw fail("not well-formed", e);
  }
  if (error) throw fail(`not well-formed (${error.message})`, error);
  if (ended !== 1) throw fail("not well-formed (unbalanced)");
  const [root] = elements;
  if (!root || elements.length !== 1) {
    throw fail(`expected one root element, found ${elements.length}`);
  }
  const stray = wrapper?.children.some((c) => typeof c === "string" && c.trim() !== "");
  if (stray) throw fail("text outside the root element");
  root.parent = null;
  if (depthOf(root) > maxDepth) throw fail(`nested deeper than ${maxDepth}`);
  return root;
}
