/**
 * Service discovery (XEP-0030 §3.1) responder whose features plugins
 * contribute, and entity capabilities (XEP-0115 §5.1 verification string)
 * recomputed whenever the feature set changes.
 */
import { createHash } from "node:crypto";
import type { Disposer } from "./emitter.js";
import { type Element, xml } from "./xml.js";

export const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
export const NS_CAPS = "http://jabber.org/protocol/caps";
/** Node URI advertised in caps. */
export const CAPS_NODE = "https://github.com/clawxmpp/clawxmpp";

/** A disco identity. */
export interface DiscoIdentity {
  category: string;
  type: string;
  name?: string;
}

/** An XEP-0030 item. */
export interface DiscoItem {
  jid: string;
  node?: string | undefined;
  name?: string | undefined;
}

/** Who asks, for per-requester answers. */
export interface DiscoRequest {
  /** The requester's JID as the server stamped it. */
  from: string | undefined;
  /** The JID the request was addressed to. */
  to: string | undefined;
}

/** Answers disco#info and/or disco#items for one node (XEP-0030 §3.2, §4.2). */
export interface DiscoNodeProvider {
  /** The `<query/>` payload for disco#info on the node, or undefined for item-not-found. */
  info?(request: DiscoRequest): Element | undefined | Promise<Element | undefined>;
  /** The items of the node, or undefined for item-not-found. */
  items?(request: DiscoRequest): DiscoItem[] | undefined | Promise<DiscoItem[] | undefined>;
}

/** Registry plugins use to advertise what they support. */
export interface DiscoRegistry {
  /** Advertises `feature` (a namespace) until the disposer runs. */
  addFeature(feature: string): Disposer;
  /** Advertises an identity until the disposer runs. */
  addIdentity(identity: DiscoIdentity): Disposer;
  /**
   * Answers disco#info/#items for `node` (e.g. XEP-0050's commands node) until the disposer runs;
   * a second provider for the same node throws.
   */
  addNode(node: string, provider: DiscoNodeProvider): Disposer;
}

/** The client's disco state. */
export class Disco implements DiscoRegistry {
  readonly #features = new Map<string, number>();
  readonly #identities: DiscoIdentity[] = [];
  readonly #nodes = new Map<string, DiscoNodeProvider>();
  readonly #onChange: () => void;
  #ver: string | undefined;

  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  addFeature(feature: string): Disposer {
    this.#features.set(feature, (this.#features.get(feature) ?? 0) + 1);
    this.#changed();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const count = (this.#features.get(feature) ?? 1) - 1;
      if (count <= 0) this.#features.delete(feature);
      else this.#features.set(feature, count);
      this.#changed();
    };
  }

  addIdentity(identity: DiscoIdentity): Disposer {
    this.#identities.push(identity);
    this.#changed();
    return () => {
      const index = this.#identities.indexOf(identity);
      if (index === -1) return;
      this.#identities.splice(index, 1);
      this.#changed();
    };
  }

  addNode(node: string, provider: DiscoNodeProvider): Disposer {
    if (node.length === 0) throw new TypeError("a disco node needs a name");
    if (this.#nodes.has(node)) throw new TypeError(`disco node "${node}" already has a provider`);
    this.#nodes.set(node, provider);
    return () => {
      if (this.#nodes.get(node) === provider) this.#nodes.delete(node);
    };
  }

  /** The provider of `node`, if any. */
  node(node: string): DiscoNodeProvider | undefined {
    return this.#nodes.get(node);
  }

  /** Nodes with providers (introspection). */
  nodes(): string[] {
    return [...this.#nodes.keys()].sort();
  }

  /** Identities advertised. */
  identityCount(): number {
    return this.#identities.length;
  }

  /** Advertised features, sorted. */
  features(): string[] {
    return [...this.#features.keys()].sort();
  }

  #changed(): void {
    this.#ver = undefined;
    this.#onChange();
  }

  /** The disco#info result payload. */
  info(node?: string): Element {
    return xml(
      "query",
      { xmlns: NS_DISCO_INFO, node },
      ...this.#identities.map((i) =>
        xml("identity", { category: i.category, type: i.type, name: i.name }),
      ),
      ...this.features().map((feature) => xml("feature", { var: feature })),
    );
  }

  /** XEP-0115 §5.1 verification string. */
  ver(): string {
    if (this.#ver) return this.#ver;
    const identities = this.#identities
      .map((i) => `${i.category}/${i.type}//${i.name ?? ""}<`)
      .sort()
      .join("");
    const features = this.features()
      .map((f) => `${f}<`)
      .join("");
    this.#ver = createHash("sha1")
      .update(identities + features, "utf8")
      .digest("base64");
    return this.#ver;
  }

  /** The `<c/>` element to put in presence. */
  caps(): Element {
    return xml("c", { xmlns: NS_CAPS, hash: "sha-1", node: CAPS_NODE, ver: this.ver() });
  }
}
