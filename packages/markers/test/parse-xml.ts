/**
 * A tiny XML parser for test fixtures: turns the XEP example text into core
 * elements (via `xml()`), so the examples can be pasted as they are written.
 * Handles elements, attributes, text, self-closing tags and the five entities;
 * not comments, CDATA or processing instructions.
 */
import { type Element, xml } from "@clawxmpp/core";

const ENTITIES: Record<string, string> = {
  lt: "<",
  gt: ">",
  amp: "&",
  apos: "'",
  quot: '"',
};

function decode(text: string): string {
  return text.replace(/&(lt|gt|amp|apos|quot);/gu, (_, name: string) => ENTITIES[name] ?? "");
}

/** Parses one XML element; whitespace-only text between elements is dropped. */
export function parseXml(source: string): Element {
  const stack: Element[] = [];
  let root: Element | undefined;
  const token =
    /<\/([\w:-]+)\s*>|<([\w:-]+)((?:\s+[\w:-]+\s*=\s*(?:'[^']*'|"[^"]*"))*)\s*(\/?)>|([^<]+)/gu;
  for (const match of source.trim().matchAll(token)) {
    const [, close, open, attrText, selfClose, text] = match;
    if (close !== undefined) {
      const done = stack.pop();
      if (!done || done.name !== close) throw new Error(`mismatched </${close}>`);
      continue;
    }
    if (open !== undefined) {
      const attrs: Record<string, string> = {};
      for (const a of (attrText ?? "").matchAll(/([\w:-]+)\s*=\s*(?:'([^']*)'|"([^"]*)")/gu)) {
        attrs[a[1] as string] = decode(a[2] ?? a[3] ?? "");
      }
      const element = xml(open, attrs);
      const parent = stack.at(-1);
      if (parent) parent.append(element);
      else root = element;
      if (selfClose !== "/") stack.push(element);
      continue;
    }
    if (text !== undefined && text.trim() !== "") stack.at(-1)?.append(decode(text));
  }
  if (!root || stack.length > 0) throw new Error("unbalanced XML");
  return root;
}

/**
 * A canonical form for comparing stanzas: attributes sorted, children sorted,
 * with the given root attributes (by `name`) and child elements (`name@xmlns`) left out.
 */
export function canonical(
  element: Element,
  ignore: { attrs?: string[]; children?: string[] } = {},
  depth = 0,
): string {
  const attrs = Object.entries(element.attrs)
    .filter(
      ([key, value]) => value !== undefined && !(depth === 0 && (ignore.attrs ?? []).includes(key)),
    )
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(" ");
  const children = element.children
    .filter((child) => {
      if (typeof child === "string") return child.trim() !== "";
      return !(ignore.children ?? []).includes(`${child.name}@${child.attrs.xmlns ?? ""}`);
    })
    .map((child) =>
      typeof child === "string" ? JSON.stringify(child) : canonical(child, ignore, depth + 1),
    )
    .sort();
  return `<${element.name} ${attrs}>${children.join("")}</${element.name}>`;
}
