/**
 * XEP-0356 privileged entity, the component's side: read and edit a user's
 * roster (§3.1, `jabber:iq:roster` IQs addressed to the user's bare JID),
 * and send a message as a user of the server (§3.2, the message forwarded
 * inside `<privilege>` to the server). Each call first checks what the
 * server granted and fails with `not-privileged` otherwise; answers are
 * read defensively (bounded, malformed items skipped).
 */
import { randomUUID } from "node:crypto";
import {
  type Element,
  type IqCaller,
  parseJid,
  StanzaError,
  tryParseJid,
  xml,
} from "@clawxmpp/core";
import { ComponentError } from "./component-error.js";
import type { Privileges } from "./grants.js";
import { NS_CLIENT, NS_FORWARD, NS_PRIVILEGE, NS_ROSTER } from "./namespaces.js";

/** RFC 6121 §2.1.2.5 subscription states. */
export type Subscription = "none" | "to" | "from" | "both" | "remove";

/** One roster item (RFC 6121 §2.1.2). */
export interface RosterItem {
  jid: string;
  name?: string | undefined;
  subscription: Subscription;
  groups: string[];
}

/** A message sent on behalf of a user of the server. */
export interface PrivilegedMessage {
  /** The user's bare JID (a user of the server, never a full JID). */
  from: string;
  to: string;
  body?: string;
  /** @default "chat" */
  type?: "chat" | "normal" | "headline" | "groupchat";
  id?: string;
  children?: Element[];
}

const SUBSCRIPTIONS = new Set(["none", "to", "from", "both", "remove"]);
const MAX_ITEMS = 10_000;
const MAX_GROUPS = 64;

export class PrivilegedActions {
  readonly #iq: IqCaller;
  readonly #send: (stanza: Element) => Promise<void>;
  readonly #privileges: () => Privileges;
  readonly #server: string;

  constructor(deps: {
    iq: IqCaller;
    send: (stanza: Element) => Promise<void>;
    privileges: () => Privileges;
    server: string;
  }) {
    this.#iq = deps.iq;
    this.#send = deps.send;
    this.#privileges = deps.privileges;
    this.#server = deps.server;
  }

  /** XEP-0356 §3.1.1: the roster of `user` (needs roster `get` or `both`). */
  async rosterGet(user: string): Promise<RosterItem[]> {
    const owner = this.#user(user);
    this.#need("roster", ["get", "both"]);
    const result = await this.#iq.get(xml("query", { xmlns: NS_ROSTER }), owner);
    const query = result.getChild("query", NS_ROSTER);
    if (!query)
      throw new ComponentError("malformed", `roster of ${owner}: the answer has no <query/>`);
    return parseRosterItems(query);
  }

  /** XEP-0356 §3.1.2: adds, changes or (subscription `remove`) removes an item of `user`'s roster. */
  async rosterSet(user: string, item: RosterItem): Promise<void> {
    const owner = this.#user(user);
    this.#need("roster", ["set", "both"]);
    const jid = tryParseJid(item.jid);
    if (!jid)
      throw new ComponentError("protocol", `roster item ${JSON.stringify(item.jid)} is not a JID`);
    await this.#iq.set(
      xml(
        "query",
        { xmlns: NS_ROSTER },
        xml(
          "item",
          {
            jid: jid.bare,
            name: item.name,
            subscription: item.subscription === "remove" ? "remove" : undefined,
          },
          ...item.groups.map((group) => xml("group", {}, group)),
        ),
      ),
      owner,
    );
  }

  /** XEP-0356 §3.2: sends a message as `message.from`, a user of the server (needs message `outgoing`). */
  async sendAs(message: PrivilegedMessage): Promise<{ id: string }> {
    const from = this.#user(message.from);
    this.#need("message", ["outgoing"]);
    const id = message.id ?? randomUUID();
    const inner = xml(
      "message",
      { xmlns: NS_CLIENT, from, to: message.to, type: message.type ?? "chat", id },
      message.body !== undefined && xml("body", {}, message.body),
      ...(message.children ?? []),
    );
    await this.#send(
      xml(
        "message",
        { to: parseJid(from).domain },
        xml("privilege", { xmlns: NS_PRIVILEGE }, xml("forwarded", { xmlns: NS_FORWARD }, inner)),
      ),
    );
    return { id };
  }

  /**
   * XEP-0356 §3.5: sends an IQ as `user` (e.g. to their PEP service or to the server) and resolves
   * with the answer the server forwarded back. Needs an IQ permission for the payload's namespace
   * covering `type`; an error answer rejects with its StanzaError.
   */
  async privilegedIq(
    user: string,
    type: "get" | "set",
    payload: Element,
    to?: string,
  ): Promise<Element> {
    const owner = this.#user(user);
    const ns = payload.attrs.xmlns;
    const granted = ns === undefined ? undefined : this.#privileges().iq.get(ns);
    if (granted !== "both" && granted !== type)
      throw new ComponentError(
        "not-privileged",
        `the server granted no "${type}" IQ permission for ${ns ?? "(no namespace)"} (XEP-0356 §3.5)`,
      );
    const inner = xml(
      "iq",
      { xmlns: NS_CLIENT, type, id: randomUUID(), from: owner, to: to ?? owner },
      payload,
    );
    const wrapper = xml("privileged_iq", { xmlns: NS_PRIVILEGE }, inner);
    const result =
      type === "get" ? await this.#iq.get(wrapper, owner) : await this.#iq.set(wrapper, owner);
    const answer = result
      .getChild("privilege", NS_PRIVILEGE)
      ?.getChild("forwarded", NS_FORWARD)
      ?.getChild("iq");
    if (!answer || (answer.attrs.type !== "result" && answer.attrs.type !== "error"))
      throw new ComponentError(
        "malformed",
        `privileged IQ as ${owner}: the answer has no forwarded <iq/>`,
      );
    if (answer.attrs.type === "error") throw StanzaError.fromElement(answer);
    return answer;
  }

  /** A user's bare JID on the server that granted us privileges. */
  #user(user: string): string {
    const jid = tryParseJid(user);
    if (!jid || jid.local === undefined || jid.resource !== undefined)
      throw new ComponentError("protocol", `${JSON.stringify(user)} is not a user's bare JID`);
    if (jid.domain !== this.#server)
      throw new ComponentError(
        "not-privileged",
        `${jid.bare} is not a user of ${this.#server}, which granted our privileges`,
      );
    return jid.bare;
  }

  #need(access: "roster" | "message", allowed: readonly string[]): void {
    const granted = this.#privileges()[access];
    if (!allowed.includes(granted))
      throw new ComponentError(
        "not-privileged",
        `the server granted ${access} access "${granted}"; this needs ${allowed.map((a) => `"${a}"`).join(" or ")} (XEP-0356)`,
      );
  }
}

/** Reads roster items; skips items without a valid JID, bounds counts. */
export function parseRosterItems(query: Element): RosterItem[] {
  const items: RosterItem[] = [];
  for (const item of query.getChildren("item")) {
    if (items.length >= MAX_ITEMS) break;
    const jid = tryParseJid(item.attrs.jid);
    if (!jid) continue;
    const subscription = item.attrs.subscription ?? "none";
    items.push({
      jid: jid.bare,
      name: item.attrs.name,
      subscription: (SUBSCRIPTIONS.has(subscription) ? subscription : "none") as Subscription,
      groups: item
        .getChildren("group")
        .slice(0, MAX_GROUPS)
        .map((group) => group.text()),
    });
  }
  return items;
}
