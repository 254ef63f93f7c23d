/**
 * XML namespaces of XEP-0045 (Multi-User Chat §19.1), XEP-0249 (Direct MUC
 * Invitations), XEP-0410 (MUC Self-Ping) and the helpers they rely on.
 */

/** XEP-0045 join protocol (`<x/>` in the join presence). */
export const NS_MUC = "http://jabber.org/protocol/muc";
/** XEP-0045 occupant information (`<x/>` in room presences and messages). */
export const NS_MUC_USER = "http://jabber.org/protocol/muc#user";
/** XEP-0045 moderation (kick, ban, role and affiliation changes). */
export const NS_MUC_ADMIN = "http://jabber.org/protocol/muc#admin";
/** XEP-0045 room configuration and destruction. */
export const NS_MUC_OWNER = "http://jabber.org/protocol/muc#owner";
/** XEP-0249 direct invitation. */
export const NS_CONFERENCE = "jabber:x:conference";
/** XEP-0030 info (service identities). */
export const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
/** XEP-0030 items (room directory). */
export const NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
/** XEP-0199 ping, used by XEP-0410 self-ping. */
export const NS_PING = "urn:xmpp:ping";
/** XEP-0372 references (mentions). */
export const NS_REFERENCE = "urn:xmpp:reference:0";
/** RFC 6120 stanza error conditions. */
export const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
