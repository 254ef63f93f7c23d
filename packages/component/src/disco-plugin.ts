/**
 * The component's XEP-0030 responders (disco#info and disco#items, both
 * with nodes), registered through the plugin contract so they are removed
 * with the component; answers come from the per-JID registry.
 */
import { definePlugin } from "@clawxmpp/core";
import type { ComponentDisco } from "./component-disco.js";
import { NS_DISCO_INFO, NS_DISCO_ITEMS } from "./namespaces.js";

/** Answers disco for every JID of the domain from `disco`. */
export const componentDiscoPlugin = definePlugin({
  name: "component-disco",
  setup(ctx, options: { disco: ComponentDisco }) {
    const { disco } = options;
    ctx.iqHandlers.register("get", NS_DISCO_INFO, "query", ({ stanza, child }) =>
      disco.info(stanza.attrs.to, child.attrs.node, stanza.attrs.from),
    );
    ctx.iqHandlers.register("get", NS_DISCO_ITEMS, "query", ({ stanza, child }) =>
      disco.items(stanza.attrs.to, child.attrs.node),
    );
    return { stop() {} };
  },
});
