/** XML namespaces and well-known nodes used by the package. */

/** XEP-0050 ad-hoc commands; also the disco node listing the commands (§2.2). */
export const NS_COMMANDS = "http://jabber.org/protocol/commands";
/** XEP-0004 data forms. */
export const NS_DATA = "jabber:x:data";
/** XEP-0122 data forms validation. */
export const NS_DATA_VALIDATE = "http://jabber.org/protocol/xdata-validate";
/** XEP-0030 service discovery. */
export const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
/** XEP-0030 service discovery items. */
export const NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
/** RFC 6120 §8.3 stanza error conditions. */
export const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
