/**
 * The XML element model shared by every package: @xmpp/xml (ltx) elements,
 * typed here so the public API does not depend on xmpp.js typings.
 */
import { Element as LtxElement } from "@xmpp/xml";

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
  // Built directly rather than through ltx's createElement, which copies the attributes a second
  // time: this runs several times per stanza on the hot path (a message, its body, its ids).
  const clean: Record<string, string> = {};
  if (attrs) {
    for (const key of Object.keys(attrs)) {
      const value = attrs[key];
      if (value !== undefined) clean[key] = typeof value === "string" ? value : String(value);
    }
  }
  const element = new LtxElement(name, clean);
  for (const child of children) appendChild(element, child);
  return element;
}

function appendChild(parent: Element, child: XmlChild): void {
  if (Array.isArray(child)) {
    for (const nested of child) appendChild(parent, nested);
  } else if (typeof child === "string") {
    if (child !== "") parent.children.push(child);
  } else if (typeof child === "object" && child !== null) {
    parent.children.push(child);
    child.parent = parent;
  }
}

/** True when `value` is an XML element (not a text node). */
export function isElement(value: unknown): value is Element {
  return value instanceof LtxElement;
}
