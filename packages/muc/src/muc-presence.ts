/**
 * XEP-0045 presence: the join request (§7.2.1, §7.2.6 password, §7.2.14
 * history) and the parts of room presences we act on: the occupant `<item/>`
 * (§7.2.3), status codes (§15.2), and `<destroy/>` (§10.9).
 */
import { type Element, type XmlChild, xml } from "@clawxmpp/core";
import type { HistoryRequest } from "./muc-options.js";
import type { MucAffiliation, MucRole } from "./muc-types.js";
import { NS_MUC, NS_MUC_USER } from "./namespaces.js";

const ROLES = new Set(["moderator", "participant", "visitor", "none"]);
const AFFILIATIONS = new Set(["owner", "admin", "member", "outcast", "none"]);
const MAX_STATUS_CODES = 16;

/** The muc#user payload of a room presence. */
export interface MucUserPresence {
  /** Status codes (§15.2), e.g. `110` (self), `303` (nick change). */
  codes: Set<string>;
  jid: string | undefined;
  role: MucRole | undefined;
  affiliation: MucAffiliation | undefined;
  /** The new nickname (303). */
  nick: string | undefined;
  actor: string | undefined;
  reason: string | undefined;
  destroy:
    | { reason: string | undefined; alternate: string | undefined; password: string | undefined }
    | undefined;
}

/** Builds the join presence to `room/nick`. */
export function joinPresence(
  room: string,
  nick: string,
  password: string | undefined,
  history: HistoryRequest | undefined,
): Element {
  const h = history ?? {};
  const maxstanzas =
    h.maxStanzas ?? (h.seconds === undefined && h.since === undefined ? 0 : undefined);
  return xml(
    "presence",
    { to: `${room}/${nick}` },
    xml(
      "x",
      { xmlns: NS_MUC },
      xml("history", {
        maxstanzas,
        seconds: h.seconds,
        since: h.since ? h.since.toISOString().replace(/\.\d{3}Z$/u, "Z") : undefined,
      }),
      password !== undefined && xml("password", {}, password),
    ),
  );
}

/** Builds the exit presence (§7.14). */
export function leavePresence(room: string, nick: string, status?: string): Element {
  const children: XmlChild[] = [status !== undefined && xml("status", {}, status)];
  return xml("presence", { to: `${room}/${nick}`, type: "unavailable" }, ...children);
}

/** Parses the `<x xmlns=muc#user/>` of a presence; undefined when there is none. */
export function parseMucUser(stanza: Element): MucUserPresence | undefined {
  const x = stanza.getChild("x", NS_MUC_USER);
  if (!x) return undefined;
  const codes = new Set<string>();
  for (const status of x.getChildren("status")) {
    const code = status.attrs.code;
    if (code && /^\d{3}$/u.test(code) && codes.size < MAX_STATUS_CODES) codes.add(code);
  }
  const item = x.getChild("item");
  const role = item?.attrs.role;
  const affiliation = item?.attrs.affiliation;
  const destroy = x.getChild("destroy");
  return {
    codes,
    jid: item?.attrs.jid,
    role: role && ROLES.has(role) ? (role as MucRole) : undefined,
    affiliation:
      affiliation && AFFILIATIONS.has(affiliation) ? (affiliation as MucAffiliation) : undefined,
    nick: item?.attrs.nick,
    actor: item?.getChild("actor")?.attrs.nick,
    reason: textOf(item?.getChildText("reason")),
    destroy: destroy
      ? {
          reason: textOf(destroy.getChildText("reason")),
          alternate: destroy.attrs.jid,
          password: textOf(destroy.getChildText("password")),
        }
      : undefined,
  };
}

function textOf(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === "" ? undefined : value.slice(0, 4096);
}
