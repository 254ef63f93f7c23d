/**
 * What the server granted the component, read from its advertisements:
 * XEP-0356 §4.2 `<message><privilege xmlns='urn:xmpp:privilege:2'><perm/>…`
 * and XEP-0355 §4.2 `<message><delegation xmlns='urn:xmpp:delegation:2'>
 * <delegated namespace=…/>…` (or `:1`, XEP-0355 v0.3, from ejabberd). Only the server may send them; a malformed
 * one is refused as a whole (the previous state stays) with a clear error.
 */
import type { Element } from "@clawxmpp/core";
import { ComponentError } from "./component-error.js";
import { DELEGATION_NAMESPACES, NS_PRIVILEGE } from "./namespaces.js";

/** XEP-0356 §3 roster access. */
export type RosterPermission = "none" | "get" | "set" | "both";
/** XEP-0356 §3 message access. */
export type MessagePermission = "none" | "outgoing";
/** XEP-0356 §3 presence access. */
export type PresencePermission = "none" | "managed_entity" | "roster";
/** XEP-0356 §3.5 IQ access per namespace. */
export type IqPermission = "get" | "set" | "both";

/** Granted XEP-0356 permissions. */
export interface Privileges {
  roster: RosterPermission;
  /** Roster pushes are forwarded to us (XEP-0356 §3.1.3). */
  rosterPush: boolean;
  message: MessagePermission;
  presence: PresencePermission;
  /** Namespace → allowed IQ types. */
  iq: ReadonlyMap<string, IqPermission>;
}

/** One XEP-0355 delegated namespace. */
export interface Delegation {
  namespace: string;
  /** Attributes that must be present on the payload for the server to delegate it (§4.1.1). */
  attributes: readonly string[];
}

/** Nothing granted (before any advertisement). */
export const NO_PRIVILEGES: Privileges = Object.freeze({
  roster: "none",
  rosterPush: false,
  message: "none",
  presence: "none",
  iq: new Map(),
});

const ROSTER = new Set(["none", "get", "set", "both"]);
const MESSAGE = new Set(["none", "outgoing"]);
const PRESENCE = new Set(["none", "managed_entity", "roster"]);
const IQ = new Set(["get", "set", "both"]);
/** Bounds on what one advertisement may hold. */
const MAX_ENTRIES = 256;

/** The privilege element of a message, if it is an advertisement. */
export function privilegeAdvert(stanza: Element): Element | undefined {
  if (stanza.name !== "message") return undefined;
  const privilege = stanza.getChild("privilege", NS_PRIVILEGE);
  // A <privilege> holding <forwarded> is a privileged message, not an advertisement.
  return privilege && !privilege.getChild("forwarded") ? privilege : undefined;
}

/** The delegation element of a message, if it is an advertisement (either XEP-0355 namespace). */
export function delegationAdvert(stanza: Element): Element | undefined {
  if (stanza.name !== "message") return undefined;
  return delegationChild(stanza);
}

/** The `<delegation/>` child of `stanza` in either XEP-0355 namespace (`:2` preferred). */
export function delegationChild(stanza: Element): Element | undefined {
  for (const ns of DELEGATION_NAMESPACES) {
    const child = stanza.getChild("delegation", ns);
    if (child) return child;
  }
  return undefined;
}

/** Reads `<privilege><perm/>…</privilege>`; throws a `malformed` ComponentError. */
export function parsePrivileges(privilege: Element): Privileges {
  const perms = privilege.getChildren("perm");
  if (perms.length === 0 || perms.length > MAX_ENTRIES)
    throw malformed(`privilege advertisement with ${perms.length} <perm/> elements`);
  let roster: RosterPermission = "none";
  let rosterPush = false;
  let message: MessagePermission = "none";
  let presence: PresencePermission = "none";
  const iq = new Map<string, IqPermission>();
  for (const perm of perms) {
    const { access, type } = perm.attrs;
    switch (access) {
      case "roster":
        roster = checked(ROSTER, type, "roster") as RosterPermission;
        rosterPush = perm.attrs.push === "true" || perm.attrs.push === "1";
        break;
      case "message":
        message = checked(MESSAGE, type, "message") as MessagePermission;
        break;
      case "presence":
        presence = checked(PRESENCE, type, "presence") as PresencePermission;
        break;
      case "iq": {
        const namespaces = perm.getChildren("namespace");
        if (namespaces.length > MAX_ENTRIES) throw malformed("too many IQ namespaces");
        for (const entry of namespaces) {
          const ns = entry.attrs.ns;
          if (!ns) throw malformed("IQ permission <namespace/> without ns");
          // ejabberd 24.12 lists every namespace granted to any component, with type="none"
          // for those not ours: no access, not a malformed advertisement.
          if (entry.attrs.type === "none") continue;
          iq.set(ns, checked(IQ, entry.attrs.type, `iq ${ns}`) as IqPermission);
        }
        break;
      }
      default:
        throw malformed(`unknown privilege access ${JSON.stringify(access ?? null)}`);
    }
  }
  return { roster, rosterPush, message, presence, iq };
}

/** Reads `<delegation><delegated namespace=…/>…</delegation>`; throws a `malformed` ComponentError. */
export function parseDelegations(delegation: Element): Delegation[] {
  const delegated = delegation.getChildren("delegated");
  if (delegated.length === 0 || delegated.length > MAX_ENTRIES)
    throw malformed(`delegation advertisement with ${delegated.length} <delegated/> elements`);
  return delegated.map((entry) => {
    const namespace = entry.attrs.namespace;
    if (!namespace) throw malformed("<delegated/> without namespace");
    const attributes = entry.getChildren("attribute").map((attribute) => {
      if (!attribute.attrs.name) throw malformed(`<attribute/> without name in ${namespace}`);
      return attribute.attrs.name;
    });
    return { namespace, attributes };
  });
}

function checked(allowed: Set<string>, value: string | undefined, what: string): string {
  if (value === undefined || !allowed.has(value))
    throw malformed(`invalid ${what} permission type ${JSON.stringify(value ?? null)}`);
  return value;
}

function malformed(detail: string): ComponentError {
  return new ComponentError("malformed", detail);
}
