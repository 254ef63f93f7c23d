/** Namespaces of XEP-0084, XEP-0153/XEP-0054, XEP-0172 and XEP-0107. */

/** XEP-0084 § 4.1: the avatar bytes. */
export const NS_AVATAR_DATA = "urn:xmpp:avatar:data";
/** XEP-0084 § 4.2: what the avatar is (id, type, size, dimensions). */
export const NS_AVATAR_METADATA = "urn:xmpp:avatar:metadata";
/** XEP-0054 vCard-temp. */
export const NS_VCARD = "vcard-temp";
/** XEP-0153 § 3.2: the photo hash in presence. */
export const NS_VCARD_UPDATE = "vcard-temp:x:update";
/** XEP-0172 user nickname. */
export const NS_NICK = "http://jabber.org/protocol/nick";
/** XEP-0107 user mood. */
export const NS_MOOD = "http://jabber.org/protocol/mood";
