/**
 * What every client answers by itself, exactly once each: XEP-0199 ping,
 * XEP-0092 software version, XEP-0202 entity time, and XEP-0030 disco#info
 * (including the XEP-0115 caps node `node#ver`).
 */
import type { Clock } from "./clock.js";
import { CAPS_NODE, type Disco, NS_DISCO_INFO } from "./disco.js";
import { StanzaError } from "./errors.js";
import type { IqRouter } from "./iq.js";
import { type Element, xml } from "./xml.js";

const NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items";

function request(stanza: Element): { from: string | undefined; to: string | undefined } {
  return { from: stanza.attrs.from, to: stanza.attrs.to };
}

/**
 * Registers the built-in responders and advertises their features. Without `discoInfo` (a
 * component, which answers disco per JID) the client identity and disco#info handler are left out.
 */
export function registerBuiltinResponders(
  deps: { iq: IqRouter; disco: Disco; clock: Clock },
  software: { name: string; version: string },
  discoInfo = true,
): void {
  const { iq, disco, clock } = deps;
  if (discoInfo) disco.addIdentity({ category: "client", type: "bot", name: software.name });
  for (const feature of [
    NS_DISCO_INFO,
    "http://jabber.org/protocol/caps",
    "urn:xmpp:ping",
    "jabber:iq:version",
    "urn:xmpp:time",
  ]) {
    disco.addFeature(feature);
  }
  iq.register("get", "urn:xmpp:ping", "ping", () => undefined);
  iq.register("get", "jabber:iq:version", "query", () =>
    xml(
      "query",
      { xmlns: "jabber:iq:version" },
      xml("name", {}, software.name),
      xml("version", {}, software.version),
    ),
  );
  iq.register("get", "urn:xmpp:time", "time", () => {
    const now = new Date(clock.now());
    return xml(
      "time",
      { xmlns: "urn:xmpp:time" },
      xml("tzo", {}, "+00:00"),
      xml("utc", {}, now.toISOString().replace(/\.\d{3}Z$/u, "Z")),
    );
  });
  if (!discoInfo) return;
  iq.register("get", NS_DISCO_INFO, "query", async ({ child, stanza }) => {
    const node = child.attrs.node;
    if (node === undefined || node === `${CAPS_NODE}#${disco.ver()}`) return disco.info(node);
    const answer = await disco.node(node)?.info?.(request(stanza));
    if (!answer) throw new StanzaError("item-not-found", "cancel");
    return answer;
  });
  // XEP-0030 §4: no items of our own at the root; nodes answer through their providers.
  iq.register("get", NS_DISCO_ITEMS, "query", async ({ child, stanza }) => {
    const node = child.attrs.node;
    if (node === undefined) return xml("query", { xmlns: NS_DISCO_ITEMS });
    const items = await disco.node(node)?.items?.(request(stanza));
    if (!items) throw new StanzaError("item-not-found", "cancel");
    return xml(
      "query",
      { xmlns: NS_DISCO_ITEMS, node },
      ...items.map((item) => xml("item", { jid: item.jid, node: item.node, name: item.name })),
    );
  });
}
