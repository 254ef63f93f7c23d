/**
 * XEP-0428 Fallback Indication §3–4: `<fallback for='ns'>` marks the parts of
 * the body that exist only for clients without `ns`, as `<body start end/>`
 * ranges in Unicode code points (XEP-0426); a `<fallback/>` without ranges
 * covers the whole body. Clients that implement `ns` strip those parts.
 */
import { type Element, xml } from "@clawxmpp/core";
import { NS_FALLBACK } from "./namespaces.js";

/** A body range in code points, end exclusive. */
export interface FallbackRange {
  start: number;
  end: number;
}

/** `<fallback for='…'>` with an optional body range. */
export function fallbackElement(forNs: string, range?: FallbackRange): Element {
  return xml(
    "fallback",
    { xmlns: NS_FALLBACK, for: forNs },
    range && xml("body", { start: range.start, end: range.end }),
  );
}

/** Length of `text` in code points, the unit of XEP-0428 ranges. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * The body without the fallback parts meant for any namespace in `supported`.
 * Ranges that are malformed or outside the body are ignored (untrusted input).
 */
export function stripFallbacks(
  stanza: Element,
  body: string,
  supported: ReadonlySet<string>,
): string {
  const points = Array.from(body);
  const ranges: FallbackRange[] = [];
  for (const fallback of stanza.getChildren("fallback", NS_FALLBACK)) {
    const forNs = fallback.attrs.for;
    if (forNs === undefined || !supported.has(forNs)) continue;
    const bodies = fallback.getChildren("body");
    const hasSubject = fallback.getChildren("subject").length > 0;
    if (bodies.length === 0 && !hasSubject) return "";
    for (const range of bodies) {
      const start = toIndex(range.attrs.start);
      const end = toIndex(range.attrs.end);
      if (start === undefined || end === undefined || start >= end || end > points.length) continue;
      ranges.push({ start, end });
    }
  }
  if (ranges.length === 0) return body;
  const drop = new Uint8Array(points.length);
  for (const { start, end } of ranges) drop.fill(1, start, end);
  return points.filter((_, index) => drop[index] === 0).join("");
}

function toIndex(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,9}$/u.test(value)) return undefined;
  return Number(value);
}
