/**
 * Mutation operators: what a hostile or broken peer can put on the wire
 * within a server's stanza size limit. Each picks a random element of the
 * stanza and breaks it one way: attributes or children dropped, duplicated,
 * moved; namespaces swapped; wrong `type`s; invalid JIDs; numeric edge
 * values; huge strings, deep nesting, thousands of children; unknown
 * elements. Everything is iterative, so the fuzzer itself never overflows
 * the stack on the trees it builds.
 */
import { type Element, isElement, xml } from "@clawxmpp/core";
import { JIDS, NAMES, NAMESPACES, NUMBERS, PROTO_KEYS, TEXTS, TYPES } from "./mutation-values.js";
import type { Rng } from "./prng.js";

/** Largest subtree copied thousands of times. */
const SMALL_SUBTREE = 10;
/** A stanza past this many elements gets no more structure added. */
const MAX_ELEMENTS = 20_000;

/** One applied mutation, for the failure report. */
export type MutationName = (typeof MUTATIONS)[number]["name"];

function elements(root: Element, limit = 5_000): Element[] {
  const out: Element[] = [];
  const stack = [root];
  while (stack.length > 0 && out.length < limit) {
    const el = stack.pop() as Element;
    out.push(el);
    for (const child of el.children) if (isElement(child)) stack.push(child);
  }
  return out;
}

/** Deep copy without recursion. */
export function cloneElement(root: Element): Element {
  const copy = xml(root.name, { ...root.attrs });
  const stack: [Element, Element][] = [[root, copy]];
  while (stack.length > 0) {
    const [from, to] = stack.pop() as [Element, Element];
    for (const child of from.children) {
      if (!isElement(child)) {
        to.children.push(child);
        continue;
      }
      const c = xml(child.name, { ...child.attrs });
      c.parent = to;
      to.children.push(c);
      stack.push([child, c]);
    }
  }
  return copy;
}

const anyElement = (root: Element, rng: Rng) => rng.pick(elements(root));
const childIndexes = (el: Element) =>
  el.children.map((c, i) => (isElement(c) ? i : -1)).filter((i) => i !== -1);

function setChildren(el: Element, children: (Element | string)[]): void {
  el.children.length = 0;
  for (const child of children) {
    if (isElement(child)) child.parent = el;
    el.children.push(child);
  }
}

function hugeString(rng: Rng): string {
  const size = rng.pick([1_000, 10_000, 100_000, 250_000]);
  return rng.pick(["x", "é", "💥", "<", " "]).repeat(size);
}

const MUTATIONS = [
  {
    name: "drop-attribute",
    apply(root: Element, rng: Rng) {
      const el = anyElement(root, rng);
      const keys = Object.keys(el.attrs);
      if (keys.length > 0) delete el.attrs[rng.pick(keys)];
    },
  },
  {
    name: "drop-child",
    apply(root: Element, rng: Rng) {
      const el = anyElement(root, rng);
      const indexes = childIndexes(el);
      if (indexes.length > 0) el.children.splice(rng.pick(indexes), 1);
    },
  },
  {
    name: "drop-all-children",
    apply(root: Element, rng: Rng) {
      setChildren(anyElement(root, rng), []);
    },
  },
  {
    name: "duplicate-child",
    apply(root: Element, rng: Rng) {
      const el = anyElement(root, rng);
      const indexes = childIndexes(el);
      if (indexes.length === 0) return;
      const child = el.children[rng.pick(indexes)] as Element;
      const copies = rng.pick([1, 1, 2, 5]);
      for (let i = 0; i < copies; i++) el.append(cloneElement(child));
    },
  },
  {
    name: "thousands-of-children",
    apply(root: Element, rng: Rng) {
      const el = anyElement(root, rng);
      const indexes = childIndexes(el);
      const picked = indexes.length > 0 ? (el.children[rng.pick(indexes)] as Element) : undefined;
      // Thousands of copies of a big subtree would be megabytes no server forwards.
      const model =
        picked && elements(picked, SMALL_SUBTREE + 1).length <= SMALL_SUBTREE
          ? picked
          : xml("item", { id: "1" });
      const count = rng.pick([1_000, 3_000, 5_000]);
      const copies: Element[] = [];
      for (let i = 0; i < count; i++) copies.push(cloneElement(model));
      setChildren(el, [...el.children, ...copies]);
    },
  },
  {
    name: "deep-nesting",
    apply(root: Element, rng: Rng) {
      const el = anyElement(root, rng);
      const depth = rng.pick([100, 1_000, 10_000]);
      const name = rng.pick(["x", "forwarded", "message", "result", "item"]);
      const xmlns = rng.pick(NAMESPACES);
      let inner: Element = xml(name, { xmlns });
      for (let i = 0; i < depth; i++) inner = xml(name, { xmlns }, inner);
      el.append(inner);
    },
  },
  {
    name: "swap-namespace",
    apply(root: Element, rng: Rng) {
      anyElement(root, rng).attrs.xmlns = rng.pick(NAMESPACES);
    },
  },
  {
    name: "rename",
    apply(root: Element, rng: Rng) {
      anyElement(root, rng).name = rng.pick(NAMES);
    },
  },
  {
    name: "wrong-type",
    apply(root: Element, rng: Rng) {
      const el = rng.chance(0.7) ? root : anyElement(root, rng);
      el.attrs.type = rng.pick(TYPES);
    },
  },
  {
    name: "invalid-jid",
    apply(root: Element, rng: Rng) {
      const el = rng.chance(0.6) ? root : anyElement(root, rng);
      el.attrs[rng.pick(["from", "to", "jid", "by"])] = rng.pick(JIDS);
    },
  },
  {
    name: "numeric-edge",
    apply(root: Element, rng: Rng) {
      const el = anyElement(root, rng);
      const keys = Object.keys(el.attrs);
      const key =
        keys.length > 0 && rng.chance(0.5)
          ? rng.pick(keys)
          : rng.pick(["h", "code", "start", "end", "size", "maxstanzas", "seconds", "index"]);
      el.attrs[key] = rng.pick(NUMBERS);
      if (rng.chance(0.3)) setChildren(el, [rng.pick(NUMBERS)]);
    },
  },
  {
    name: "huge-value",
    apply(root: Element, rng: Rng) {
      const el = anyElement(root, rng);
      if (rng.chance(0.5)) {
        const keys = Object.keys(el.attrs);
        el.attrs[keys.length > 0 ? rng.pick(keys) : "id"] = hugeString(rng);
      } else {
        setChildren(el, [hugeString(rng)]);
      }
    },
  },
  {
    name: "odd-text",
    apply(root: Element, rng: Rng) {
      const el = anyElement(root, rng);
      if (rng.chance(0.5)) setChildren(el, [rng.pick(TEXTS)]);
      else el.children.push(rng.pick(TEXTS));
    },
  },
  {
    name: "unknown-element",
    apply(root: Element, rng: Rng) {
      anyElement(root, rng).append(
        xml(
          rng.pick(["x", "unknown", "body", "item", "reaction"]),
          { xmlns: rng.pick(NAMESPACES) },
          rng.pick(TEXTS),
        ),
      );
    },
  },
  {
    name: "prototype-key",
    apply(root: Element, rng: Rng) {
      const el = anyElement(root, rng);
      const key = rng.pick(PROTO_KEYS);
      if (rng.chance(0.3)) {
        el.name = key;
        return;
      }
      const keys = Object.keys(el.attrs).filter((k) => k !== "xmlns");
      const attr =
        keys.length > 0 && rng.chance(0.7)
          ? rng.pick(keys)
          : rng.pick(["type", "code", "affiliation", "role", "subscription", "show", "var", "id"]);
      el.attrs[attr] = key;
      if (rng.chance(0.3)) setChildren(el, [key]);
    },
  },
  {
    name: "move-child",
    apply(root: Element, rng: Rng) {
      const all = elements(root);
      const from = rng.pick(all);
      const indexes = childIndexes(from);
      if (indexes.length === 0) return;
      const index = rng.pick(indexes);
      const child = from.children[index] as Element;
      const to = rng.pick(all.filter((el) => !elements(child, 200).includes(el)));
      if (!to) return;
      from.children.splice(index, 1);
      child.parent = to;
      to.children.push(child);
    },
  },
] as const;

/** Applies 0–4 random mutations to `stanza` in place; returns their names. */
export function mutate(stanza: Element, rng: Rng): MutationName[] {
  const applied: MutationName[] = [];
  // Some cases stay valid: the normal paths must keep working between broken ones.
  const count = rng.chance(0.1) ? 0 : rng.range(1, 4);
  for (let i = 0; i < count; i++) {
    // The "huge" operators are rarer: they are slow to build and a few hundred cover them.
    let op = rng.pick(MUTATIONS);
    const grows = (name: string) =>
      name === "thousands-of-children" || name === "deep-nesting" || name === "duplicate-child";
    if (grows(op.name) && op.name !== "duplicate-child" && !rng.chance(0.15))
      op = rng.pick(MUTATIONS);
    if (grows(op.name) && elements(stanza, MAX_ELEMENTS).length >= MAX_ELEMENTS) continue;
    op.apply(stanza, rng);
    applied.push(op.name);
  }
  return applied;
}
