/**
 * The XML element model shared by every package: @xmpp/xml (ltx) elements,
 * typed here so the public API does not depend on xmpp.js typings.
 */
import { Element as LtxElement, xml as ltxXml } from "@xmpp/xml";

/** An XML element (a stanza or one of its children). */
export interface Element {
  name: string;
  attrs: Record<string, string | undefined>;
  children: (Element | string)[];
  parent: Element | null;
  is(name: string, xmlns?: string): boolean;
  getName(): string;
  getNS(): string | undefined;
  getAttr(name: string): string | undefined;
  getChild(name: string, xmlns?: string): Element | undefined;
  getChildren(name: string, xmlns?: string): Element[];
  getChildElements(): Element[];
  getChildText(name: string, xmlns?: string): string | null;
  getText(): string;
  text(): string;
  append(...nodes: (Element | string)[]): Element;
  remove(el: Element | string, xmlns?: string): Element;
  toString(): string;
}

/** A child given to {@link xml}: elements, text, or nothing (skipped). */
export type XmlChild = Element | string | null | undefined | false | XmlChild[];

/**
 * Builds an element. Attributes whose value is `undefined` are left out;
 * falsy children are skipped, so optional children can be written inline.
 */
export function xml(
  name: string,
  attrs?: Record<string, string | number | undefined> | null,
  ...children: XmlChild[]
): Element {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value !== undefined) clean[key] = String(value);
  }
  return ltxXml(
    name,
    clean,
    ...(children as unknown[]).flat(Number.POSITIVE_INFINITY as 1).filter(isChild),
  );
}

function isChild(child: unknown): child is Element | string {
  return typeof child === "string" || (typeof child === "object" && child !== null);
}

/** True when `value` is an XML element (not a text node). */
export function isElement(value: unknown): value is Element {
  return value instanceof LtxElement;
}
