/**
 * The `pubsub` plugin: XEP-0060 requests for services and PEP (XEP-0163),
 * `+notify` interest through caps, and event notifications routed as typed,
 * sender-checked, bounded events. The only file that touches the plugin
 * contract, so moving to core v2's `definePlugin({ name, setup })` is local.
 */
import { definePlugin, type Plugin, parseOptions } from "@clawxmpp/core";
import {
  getItems,
  ownAffiliations,
  ownSubscriptions,
  subscribe,
  unsubscribe,
} from "./entity-requests.js";
import { EventRouter } from "./event-router.js";
import { eventSource } from "./event-source.js";
import { NS_PUBSUB_EVENT } from "./namespaces.js";
import {
  configureNode,
  createNode,
  deleteNode,
  nodeConfiguration,
  ownerList,
  ownerSet,
  purgeNode,
} from "./owner-requests.js";
import { parseEvent } from "./parse-event.js";
import { publishItem, retractItem } from "./publish.js";
import type { PubsubHandle } from "./pubsub-handle.js";
import { type PubsubOptionsInput, pubsubOptionsSchema } from "./pubsub-options.js";
import { checkNode, checkService, type RequestDeps } from "./pubsub-request.js";
import { SubscribedServices } from "./subscribed-services.js";

const LIST_LIMIT = 10_000;

/** XEP-0060 publish-subscribe and XEP-0163 PEP. */
export const pubsub: Plugin<PubsubOptionsInput, PubsubHandle> = definePlugin(
  "pubsub",
  (ctx, input: PubsubOptionsInput = {}): PubsubHandle => {
    const opts = parseOptions(pubsubOptionsSchema, input, "pubsub options");
    const log = ctx.logger;
    const deps: RequestDeps = { iq: ctx.iq, timeout: opts.timeout };
    const router = new EventRouter(log);
    const services = new SubscribedServices(opts.services);
    const resultLimits = { maxItems: opts.maxResultItems, maxItemSize: opts.maxResultItemSize };
    const ownBare = () => ctx.client.account.bare;
    let stopped = false;

    const notify = (node: string) => {
      checkNode(node, undefined);
      return ctx.disco.addFeature(`${node}+notify`);
    };
    for (const node of opts.notify) notify(node);

    ctx.inbound.use("parse", (c) => {
      const message = c.message;
      const event = c.stanza.getChild("event", NS_PUBSUB_EVENT);
      if (!message || !event || message.outgoing || message.via !== "live") return;
      const source = eventSource(c.stanza.attrs.from, ctx.client.account, (s) => services.has(s));
      if ("refused" in source) {
        log.warn("ignored a pubsub event", { from: c.stanza.attrs.from, reason: source.refused });
      } else {
        const limits = { maxItems: opts.maxEventItems, maxItemSize: opts.maxEventItemSize };
        const parsed = parseEvent(c.stanza, event, source, limits);
        if (parsed.problems.length > 0) {
          log.warn("parts of a pubsub event were ignored", {
            from: c.stanza.attrs.from,
            problems: parsed.problems.slice(0, 5),
          });
        }
        for (const e of parsed.events) router.dispatch(e);
      }
      if (opts.consumeEventMessages && message.body === undefined) c.drop("pubsub event");
    });

    return {
      on: router.events.on.bind(router.events),
      once: router.events.once.bind(router.events),
      off: router.events.off.bind(router.events),
      publish: (node, payload, options) => publishItem(deps, node, payload, options),
      retract: (node, id, options) => retractItem(deps, node, id, options),
      items: (node, options) => getItems(deps, resultLimits, node, options),
      async subscribe(service, node, options = {}) {
        const target = checkService(service) as string;
        const sub = await subscribe(deps, target, node, options.jid ?? ownBare());
        if (sub.subscription !== "none") services.add(target, node);
        return sub;
      },
      async unsubscribe(service, node, options = {}) {
        const target = checkService(service) as string;
        await unsubscribe(deps, target, node, options.jid ?? ownBare(), options.subid);
        services.remove(target, node);
      },
      subscriptions: (o = {}) => ownSubscriptions(deps, LIST_LIMIT, o.service, o.node),
      affiliations: (o = {}) => ownAffiliations(deps, LIST_LIMIT, o.service, o.node),
      createNode: (node, o = {}) => createNode(deps, node, o),
      configuration: (node, o = {}) => nodeConfiguration(deps, node, o.service),
      configure: (node, config, o = {}) => configureNode(deps, node, config, o),
      deleteNode: (node, o = {}) => deleteNode(deps, node, o),
      purge: (node, o = {}) => purgeNode(deps, node, o.service),
      nodeSubscriptions: (node, o = {}) =>
        ownerList(deps, "subscriptions", LIST_LIMIT, node, o.service),
      setNodeSubscriptions: (node, changes, o = {}) =>
        ownerSet(deps, "subscriptions", node, changes, o.service),
      nodeAffiliations: (node, o = {}) =>
        ownerList(deps, "affiliations", LIST_LIMIT, node, o.service),
      setNodeAffiliations: (node, changes, o = {}) =>
        ownerSet(deps, "affiliations", node, changes, o.service),
      notify,
      onNode: (node, listener) => router.onNode(node, listener),
      stop() {
        if (stopped) return;
        stopped = true;
        router.clear();
      },
    };
  },
);
