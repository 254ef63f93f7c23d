/** One fuzz case: a seed stanza from the corpus, mutated, rebuilt from `(seed, index)`. */
import type { Element } from "@clawxmpp/core";
import { EXTENSION_SEEDS } from "./corpus-extensions.js";
import { MESSAGE_SEEDS, type SeedBuilder } from "./corpus-messages.js";
import { STANZA_SEEDS } from "./corpus-stanzas.js";
import { type MutationName, mutate } from "./mutate.js";
import { createRng } from "./prng.js";
import type { FuzzScene } from "./scene.js";

/** Every seed builder by name. */
export const SEEDS: Readonly<Record<string, SeedBuilder>> = {
  ...MESSAGE_SEEDS,
  ...STANZA_SEEDS,
  ...EXTENSION_SEEDS,
};
const SEED_NAMES = Object.keys(SEEDS).sort();

/** A generated case. */
export interface FuzzCase {
  index: number;
  /** The corpus entry it started from. */
  seedName: string;
  /** Mutations applied, in order. */
  mutations: MutationName[];
  stanza: Element;
}

/** Builds case `index` of the run seeded with `seed` (the scene supplies live ids). */
export function fuzzCase(seed: number, index: number, scene: FuzzScene): FuzzCase {
  const rng = createRng(seed, index);
  const seedName = rng.pick(SEED_NAMES);
  const stanza = (SEEDS[seedName] as SeedBuilder)(scene, rng);
  const mutations = mutate(stanza, rng);
  return { index, seedName, mutations, stanza };
}

/** The stanza as XML, cut at `max` characters; iterative, so deep trees cannot overflow. */
export function stanzaPreview(root: Element, max = 1_500): string {
  let out = "";
  const esc = (s: string) =>
    s.replace(/[<&"]/gu, (c) => (c === "<" ? "&lt;" : c === "&" ? "&amp;" : "&quot;"));
  const stack: (Element | string | { close: string })[] = [root];
  while (stack.length > 0 && out.length < max) {
    const node = stack.pop() as Element | string | { close: string };
    if (typeof node === "string") {
      out += esc(node.length > 200 ? `${node.slice(0, 200)}…(${node.length})` : node);
    } else if ("close" in node) {
      out += node.close;
    } else {
      const attrs = Object.entries(node.attrs)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => ` ${k}="${esc(String(v).slice(0, 200))}"`)
        .join("");
      out += `<${node.name}${attrs}>`;
      stack.push({ close: `</${node.name}>` });
      const children = node.children.length > 20 ? node.children.slice(0, 20) : node.children;
      if (node.children.length > 20) stack.push(`…(${node.children.length} children)`);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Element | string);
    }
  }
  return out.length > max ? `${out.slice(0, max)}…` : out;
}
