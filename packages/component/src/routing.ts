/**
 * Addressing between core and the component socket, the part of XEP-0114
 * (§4) a client never needs: every JID of the domain is ours, so
 * - an IQ reply is sent from the JID the request was addressed to (core
 *   answers requests without knowing which of our JIDs they were for); a
 *   message without `from` goes from the JID its recipient (full JID) last
 *   wrote to, so plugins that answer a message (receipts, markers) answer
 *   from the right bot; anything else without `from` is from the domain;
 * - an IQ request without `to` goes from and to a full JID of our own domain
 *   (`domain/keepalive`): the server requires a `to` from components, a
 *   ping so addressed makes a real round trip through the server (what
 *   keepalive needs), and ejabberd's XEP-0356 mod_privilege drops every
 *   unwrapped IQ a component with IQ privileges sends to a JID without a
 *   resource (the bare domain included), so the bare domain never answers;
 * - XEP-0355 §4.3: a delegated IQ (`<iq from=server><delegation><forwarded>
 *   <iq/>`) is unwrapped and handed to core's IQ handler registry like any
 *   other request; its answer is wrapped back for the server in the
 *   namespace the request came in (`urn:xmpp:delegation:2`, or `:1` from
 *   ejabberd, XEP-0355 v0.3);
 * - XEP-0355/0356 advertisements from the server update the granted state.
 * Anything addressed wrongly or malformed is refused with a clear error and
 * never reaches core. The tables are bounded.
 */
import { type Element, type Logger, tryParseJid, xml } from "@clawxmpp/core";
import { ComponentError } from "./component-error.js";
import {
  type Delegation,
  delegationAdvert,
  delegationChild,
  type Privileges,
  parseDelegations,
  parsePrivileges,
  privilegeAdvert,
} from "./grants.js";
import { NS_CLIENT, NS_FORWARD } from "./namespaces.js";

const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
/** Resource of the full JID our own requests without a recipient go from and to. */
const SELF_RESOURCE = "keepalive";
/** Requests awaiting our answer, remembered to address the answer. */
const MAX_REQUESTS = 10_000;
/** Delegated requests awaiting our answer. */
const MAX_DELEGATED = 2_000;
/** Peers whose last addressee we remember. */
const MAX_PEERS = 10_000;

/** What routing reports to the component. */
export interface RoutingEvents {
  privileges(privileges: Privileges): void;
  delegations(delegations: readonly Delegation[]): void;
  /** A stanza from the server we refused (malformed, forged, not granted). */
  invalid(error: ComponentError): void;
}

interface Delegated {
  outerId: string;
  outerFrom: string;
  /** Who the inner request was addressed to: the answer's `from`. */
  innerTo: string | undefined;
  /** The XEP-0355 namespace the request came in: the answer is wrapped in the same one. */
  xmlns: string;
}

export class Routing {
  readonly #domain: string;
  /** Our own full JID for requests to ourselves (see the header). */
  readonly #self: string;
  readonly #server: string;
  readonly #logger: Logger;
  readonly #events: RoutingEvents;
  readonly #requests = new Map<string, string>();
  readonly #delegated = new Map<string, Delegated>();
  /** Peer full JID → the JID of ours it last sent a message to. */
  readonly #lastAddressed = new Map<string, string>();
  #delegations = new Map<string, Delegation>();

  constructor(options: { domain: string; server: string; logger: Logger; events: RoutingEvents }) {
    this.#domain = options.domain;
    this.#self = `${options.domain}/${SELF_RESOURCE}`;
    this.#server = options.server;
    this.#logger = options.logger;
    this.#events = options.events;
  }

  /** Forgets the delegations (the connection they were advertised on ended). */
  resetGrants(): void {
    this.#delegations = new Map();
  }

  /** Namespaces delegated to us (XEP-0355), as last advertised. */
  get delegations(): ReadonlyMap<string, Delegation> {
    return this.#delegations;
  }

  /**
   * One element from the server. Returns what core should see (the element, or the unwrapped
   * delegated request), or undefined when it was handled here; `reply` writes an answer at once.
   */
  inbound(element: Element, reply: (answer: Element) => void): Element | undefined {
    if (element.name === "message") {
      if (this.#advertisement(element)) return undefined;
      const { from, to } = element.attrs;
      if (from !== undefined && to !== undefined && element.attrs.type !== "error")
        this.#remember(this.#lastAddressed, from, to, MAX_PEERS);
      return element;
    }
    if (element.name !== "iq") return element;
    const type = element.attrs.type;
    // The answer to one of our own requests to ourselves: core asked "nobody" (its server), so it
    // expects the answer from the domain. Only we can send from our domain, so this is ours.
    if ((type === "result" || type === "error") && element.attrs.from === this.#self) {
      element.attrs.from = this.#domain;
      return element;
    }
    if (type !== "get" && type !== "set") return element;
    const wrapper = type === "set" ? delegationChild(element) : undefined;
    const request = wrapper ? this.#unwrap(element, wrapper, reply) : element;
    if (request)
      this.#remember(this.#requests, key(request), request.attrs.to ?? this.#domain, MAX_REQUESTS);
    return request;
  }

  /** One element to the server: addressed, and wrapped when it answers a delegated request. */
  outbound(element: Element): Element {
    const attrs = element.attrs;
    if (element.name === "iq" && (attrs.type === "result" || attrs.type === "error")) {
      const k = key(element, attrs.to);
      const delegated = this.#delegated.get(k);
      const addressed = this.#requests.get(k);
      this.#requests.delete(k);
      if (delegated) {
        this.#delegated.delete(k);
        return this.#wrap(element, delegated);
      }
      attrs.from ??= addressed ?? this.#domain;
      return element;
    }
    if (attrs.from === undefined && element.name === "message" && attrs.to !== undefined)
      attrs.from = this.#lastAddressed.get(attrs.to);
    if (element.name === "iq" && attrs.to === undefined) {
      attrs.from ??= this.#self;
      attrs.to = this.#self;
    }
    attrs.from ??= this.#domain;
    return element;
  }

  /** XEP-0355 §4.3: checks and unwraps a delegated request; answers refusals itself. */
  #unwrap(outer: Element, wrapper: Element, reply: (answer: Element) => void): Element | undefined {
    const refuse = (condition: string, detail: string) => {
      const error = new ComponentError(
        "malformed",
        `delegated IQ refused (${condition}): ${detail}`,
      );
      this.#logger.warn(error.message, { from: outer.attrs.from, id: outer.attrs.id });
      this.#events.invalid(error);
      reply(
        errorReply(outer, this.#domain, condition === "forbidden" ? "auth" : "modify", condition),
      );
      return undefined;
    };
    if (bare(outer.attrs.from) !== this.#server)
      return refuse(
        "forbidden",
        `only ${this.#server} may delegate, not ${outer.attrs.from ?? "(none)"}`,
      );
    const forwarded = onlyChild(wrapper, "forwarded", NS_FORWARD);
    const inner = forwarded && onlyChild(forwarded, "iq");
    if (!inner) return refuse("bad-request", "expected exactly <forwarded><iq/></forwarded>");
    const { type, id, from } = inner.attrs;
    const payload = inner.getChildElements()[0];
    if ((type !== "get" && type !== "set") || !id || !tryParseJid(from) || !payload)
      return refuse(
        "bad-request",
        "the forwarded IQ needs type get/set, an id, a valid from and a payload",
      );
    const delegation = this.#delegations.get(payload.attrs.xmlns ?? "");
    if (!delegation)
      return refuse(
        "forbidden",
        `namespace ${payload.attrs.xmlns ?? "(none)"} is not delegated to us`,
      );
    this.#remember(
      this.#delegated,
      key(inner),
      {
        outerId: outer.attrs.id ?? "",
        outerFrom: outer.attrs.from ?? this.#server,
        innerTo: inner.attrs.to,
        xmlns: wrapper.attrs.xmlns ?? "",
      },
      MAX_DELEGATED,
    );
    return inner;
  }

  /** XEP-0355 §4.3: the answer, forwarded inside a result to the server's request. */
  #wrap(answer: Element, delegated: Delegated): Element {
    const inner = xml(
      "iq",
      {
        xmlns: NS_CLIENT,
        type: answer.attrs.type,
        id: answer.attrs.id,
        to: answer.attrs.to,
        from: answer.attrs.from ?? delegated.innerTo ?? this.#server,
      },
      ...answer.getChildElements(),
    );
    return xml(
      "iq",
      { type: "result", id: delegated.outerId, to: delegated.outerFrom, from: this.#domain },
      xml("delegation", { xmlns: delegated.xmlns }, xml("forwarded", { xmlns: NS_FORWARD }, inner)),
    );
  }

  /** Handles a privilege or delegation advertisement; true when the message was one. */
  #advertisement(message: Element): boolean {
    const privilege = privilegeAdvert(message);
    const delegation = privilege ? undefined : delegationAdvert(message);
    if (!privilege && !delegation) return false;
    const what = privilege ? "privilege" : "delegation";
    if (bare(message.attrs.from) !== this.#server) {
      this.#reject(
        new ComponentError(
          "malformed",
          `${what} advertisement from ${message.attrs.from ?? "(none)"} ignored: only ${this.#server} may grant`,
        ),
      );
      return true;
    }
    try {
      if (privilege) this.#events.privileges(parsePrivileges(privilege));
      else if (delegation) {
        const list = parseDelegations(delegation);
        this.#delegations = new Map(list.map((entry) => [entry.namespace, entry]));
        this.#events.delegations(list);
      }
    } catch (error) {
      if (!(error instanceof ComponentError)) throw error;
      this.#reject(error);
    }
    return true;
  }

  #reject(error: ComponentError): void {
    this.#logger.warn(error.message);
    this.#events.invalid(error);
  }

  #remember<V>(table: Map<string, V>, k: string, value: V, max: number): void {
    table.delete(k);
    table.set(k, value);
    if (table.size > max) {
      const oldest = table.keys().next();
      if (!oldest.done) table.delete(oldest.value);
    }
  }
}

/** Request key: id and requester (an answer carries them as id and `to`). */
function key(stanza: Element, peer = stanza.attrs.from): string {
  return `${stanza.attrs.id ?? ""}\u0000${peer ?? ""}`;
}

function bare(jid: string | undefined): string | undefined {
  return tryParseJid(jid)?.bare;
}

/** The single child element of `parent`, when it is `name` (in `xmlns`, if given). */
function onlyChild(parent: Element, name: string, xmlns?: string): Element | undefined {
  const children = parent.getChildElements();
  const child = children[0];
  if (children.length !== 1 || !child || child.name !== name) return undefined;
  if (xmlns !== undefined && child.attrs.xmlns !== xmlns) return undefined;
  return child;
}

function errorReply(request: Element, from: string, type: string, condition: string): Element {
  return xml(
    "iq",
    { type: "error", id: request.attrs.id, to: request.attrs.from, from },
    xml("error", { type }, xml(condition, { xmlns: NS_STANZAS })),
  );
}
