/** Helpers shared by the pubsub and profile suites: mutual presence subscriptions and event waits. */
import { type Client, xml } from "@clawxmpp/core";
import type { PubsubEvent, PubsubHandle } from "@clawxmpp/pubsub";
import { nextEvent } from "./helpers.js";

/**
 * Makes `a` and `b` subscribed to each other's presence (RFC 6121 § 3), so
 * PEP notifications flow both ways. Both fetch their roster first: Prosody
 * sends subscription answers only to resources that did.
 */
export async function befriend(a: Client, b: Client): Promise<void> {
  const roster = xml("query", { xmlns: "jabber:iq:roster" });
  await Promise.all([a.iq.get(roster), b.iq.get(roster)]);
  const aJid = a.account.bare;
  const bJid = b.account.bare;
  const offA = a.on("subscription", (r) => {
    // Its second presence may find the client already stopped by a test that is done with it.
    if (r.from.bare === bJid) a.approveSubscription(bJid).catch(() => {});
  });
  const offB = b.on("subscription", (r) => {
    if (r.from.bare === aJid) b.approveSubscription(aJid).catch(() => {});
  });
  try {
    const aSeesB = nextEvent<{ type: string; from: { bare: string } }>(
      a,
      "presence",
      (p) => p.type === "subscribed" && p.from.bare === bJid,
    );
    const bSeesA = nextEvent<{ type: string; from: { bare: string } }>(
      b,
      "presence",
      (p) => p.type === "subscribed" && p.from.bare === aJid,
    );
    await a.sendPresence({ type: "subscribe", to: bJid });
    await Promise.all([aSeesB, bSeesA]);
  } finally {
    offA();
    offB();
  }
}

/**
 * Resolves with the first value a listener registered by `listen` receives that passes `match`,
 * or rejects after `ms`; `listen` returns the disposer that removes the listener.
 */
export function firstMatching<T>(
  listen: (listener: (value: T) => void) => () => void,
  match: (value: T) => boolean,
  what: string,
  ms = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching ${what} within ${ms} ms`));
    }, ms);
    const off = listen((value) => {
      if (!match(value)) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

/** Resolves with the first event `handle` routes for `node` that passes `match`. */
export function nextPubsubEvent(
  handle: PubsubHandle,
  node: string,
  match: (event: PubsubEvent) => boolean = () => true,
): Promise<PubsubEvent> {
  return firstMatching((listener) => handle.onNode(node, listener), match, `event for ${node}`);
}
