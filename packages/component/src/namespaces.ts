/** Namespaces spoken by the component (XEP-0114, XEP-0030, XEP-0355, XEP-0356, RFC 6121). */
export const NS_COMPONENT = "jabber:component:accept";
export const NS_STREAM = "http://etherx.jabber.org/streams";
export const NS_STREAM_ERRORS = "urn:ietf:params:xml:ns:xmpp-streams";
export const NS_CLIENT = "jabber:client";
export const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
export const NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
export const NS_CAPS = "http://jabber.org/protocol/caps";
export const NS_FORWARD = "urn:xmpp:forward:0";
/** XEP-0355 v0.4+ (what prosody-modules' mod_delegation speaks). */
export const NS_DELEGATION = "urn:xmpp:delegation:2";
/**
 * XEP-0355 v0.3, still spoken by ejabberd (24.12): same elements and flow, older namespace, so
 * adverts, forwarded IQs and disco nesting nodes are read in both and answered in the one asked.
 */
export const NS_DELEGATION_1 = "urn:xmpp:delegation:1";
/** Every XEP-0355 namespace we understand, newest first. */
export const DELEGATION_NAMESPACES: readonly string[] = [NS_DELEGATION, NS_DELEGATION_1];
/** XEP-0356 v0.4+ (what Prosody's and ejabberd's mod_privilege speak). */
export const NS_PRIVILEGE = "urn:xmpp:privilege:2";
export const NS_ROSTER = "jabber:iq:roster";
