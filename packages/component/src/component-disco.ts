/**
 * XEP-0030 answered per JID of the domain: each JID (the domain itself, a
 * bot, any address a gateway invents) has its own identities, features,
 * items and nodes (§3.2 info nodes, §4.2 item nodes). JIDs not listed get
 * the default entity for users of the domain, if one is set. Every entity
 * also advertises the features plugins registered through `ctx.disco`.
 * XEP-0355 §5 disco nesting: the server asks the domain for the nodes
 * `urn:xmpp:delegation:2::<ns>` and `urn:xmpp:delegation:2:bare:<ns>` of a
 * delegated namespace (ejabberd asks the same under `urn:xmpp:delegation:1`,
 * XEP-0355 v0.3); unless the domain lists them itself, they answer
 * the namespace as their one feature.
 */
import { type Disposer, type Element, StanzaError, tryParseJid, xml } from "@clawxmpp/core";
import { DELEGATION_NAMESPACES, NS_CAPS, NS_DISCO_INFO, NS_DISCO_ITEMS } from "./namespaces.js";

const NESTING = DELEGATION_NAMESPACES.flatMap((ns) => [`${ns}::`, `${ns}:bare:`]);

/** A disco identity (XEP-0030 §3.1, registry categories). */
export interface ComponentIdentity {
  category: string;
  type: string;
  name?: string | undefined;
}

/** A disco item (XEP-0030 §4.1). */
export interface DiscoItem {
  jid: string;
  node?: string | undefined;
  name?: string | undefined;
}

/** What one node of an entity answers. */
export interface DiscoNode {
  identities?: readonly ComponentIdentity[];
  features?: readonly string[];
  items?: readonly DiscoItem[];
}

/** What one JID answers: its own info and items, plus named nodes. */
export interface DiscoEntity extends DiscoNode {
  nodes?: Readonly<Record<string, DiscoNode>>;
}

/** Per-JID disco of the component. */
export interface ComponentDiscoRegistry {
  /** Sets what `jid` (bare, or the domain) answers until the disposer runs; replaces an earlier entry. */
  set(jid: string, entity: DiscoEntity): Disposer;
  /** What `jid` answers now (its own entry, the users' default, or undefined). */
  get(jid: string): DiscoEntity | undefined;
}

export class ComponentDisco implements ComponentDiscoRegistry {
  readonly #domain: string;
  readonly #entities = new Map<string, DiscoEntity>();
  readonly #userDefault: DiscoEntity | undefined;
  readonly #pluginFeatures: () => readonly string[];
  readonly #delegated: (namespace: string, asker: string | undefined) => boolean;

  constructor(options: {
    domain: string;
    userDefault: DiscoEntity | undefined;
    pluginFeatures: () => readonly string[];
    /**
     * True when `asker` may see the nesting node of `namespace` (XEP-0355 §5): the server asks
     * before it advertises the delegation, so the component answers its server, and anyone once
     * the namespace is delegated.
     */
    delegated?: (namespace: string, asker: string | undefined) => boolean;
  }) {
    this.#domain = options.domain;
    this.#userDefault = options.userDefault;
    this.#pluginFeatures = options.pluginFeatures;
    this.#delegated = options.delegated ?? (() => false);
  }

  set(jid: string, entity: DiscoEntity): Disposer {
    const key = this.#key(jid);
    if (key === undefined)
      throw new StanzaError("bad-request", "modify", `${jid} is not a JID of ${this.#domain}`);
    this.#entities.set(key, entity);
    return () => {
      if (this.#entities.get(key) === entity) this.#entities.delete(key);
    };
  }

  get(jid: string): DiscoEntity | undefined {
    const key = this.#key(jid);
    if (key === undefined) return undefined;
    return this.#entities.get(key) ?? (key === this.#domain ? undefined : this.#userDefault);
  }

  /** The disco#info answer for a request from `asker` to `to`. */
  info(to: string | undefined, node: string | undefined, asker?: string): Element {
    const target = this.#target(to, node, asker);
    const features = new Set([NS_DISCO_INFO, NS_DISCO_ITEMS, ...(target.features ?? [])]);
    // Plugin features describe the entities themselves, not their nodes; caps belong to clients.
    if (node === undefined) for (const feature of this.#pluginFeatures()) features.add(feature);
    features.delete(NS_CAPS);
    return xml(
      "query",
      { xmlns: NS_DISCO_INFO, node },
      ...(target.identities ?? []).map((i) =>
        xml("identity", { category: i.category, type: i.type, name: i.name }),
      ),
      ...[...features].sort().map((feature) => xml("feature", { var: feature })),
    );
  }

  /** The disco#items answer for a request to `to`. */
  items(to: string | undefined, node: string | undefined): Element {
    const target = this.#target(to, node);
    return xml(
      "query",
      { xmlns: NS_DISCO_ITEMS, node },
      ...(target.items ?? []).map((item) =>
        xml("item", { jid: item.jid, node: item.node, name: item.name }),
      ),
    );
  }

  #target(to: string | undefined, node: string | undefined, asker?: string): DiscoNode {
    const entity = this.get(to ?? this.#domain);
    if (!entity) throw new StanzaError("item-not-found", "cancel");
    if (node === undefined) return entity;
    const found =
      entity.nodes !== undefined && Object.hasOwn(entity.nodes, node)
        ? entity.nodes[node]
        : undefined;
    if (found) return found;
    const nested = this.#nesting(to, node, asker);
    if (nested) return nested;
    throw new StanzaError("item-not-found", "cancel");
  }

  /** XEP-0355 §5: a delegated namespace's nesting node on the domain. */
  #nesting(to: string | undefined, node: string, asker: string | undefined): DiscoNode | undefined {
    if (this.#key(to ?? this.#domain) !== this.#domain) return undefined;
    const prefix = NESTING.find((p) => node.startsWith(p));
    const namespace = prefix === undefined ? undefined : node.slice(prefix.length);
    return namespace && this.#delegated(namespace, asker) ? { features: [namespace] } : undefined;
  }

  /** The bare JID a request is about, when it is one of ours. */
  #key(jid: string): string | undefined {
    const parsed = tryParseJid(jid);
    if (!parsed || parsed.domain !== this.#domain) return undefined;
    return parsed.bare;
  }
}
