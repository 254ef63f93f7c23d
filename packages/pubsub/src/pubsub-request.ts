/**
 * One IQ round trip to a pubsub service (XEP-0060 § 5–8): wraps the payload
 * in `<pubsub/>` of the right namespace, sends it to the service (our own
 * account for PEP, XEP-0163 § 4.3), and turns every failure into a
 * {@link PubsubError} naming the service and node.
 */
import { type Element, type IqCaller, tryParseJid, type XmlChild, xml } from "@clawxmpp/core";
import { PubsubError } from "./pubsub-error.js";

/** What the request functions need. */
export interface RequestDeps {
  iq: IqCaller;
  /** Milliseconds per answer, or the client's default. */
  timeout: number | undefined;
}

/** Sends `<pubsub xmlns={ns}>{children}</pubsub>` as `type` to `service`; resolves with the answer's `<pubsub/>` (if any). */
export async function pubsubRequest(
  deps: RequestDeps,
  type: "get" | "set",
  ns: string,
  target: { service?: string | undefined; node?: string | undefined },
  ...children: XmlChild[]
): Promise<Element | undefined> {
  checkService(target.service);
  const payload = xml("pubsub", { xmlns: ns }, ...children);
  const options = deps.timeout === undefined ? undefined : { timeout: deps.timeout };
  try {
    const answer =
      type === "get"
        ? await deps.iq.get(payload, target.service, options)
        : await deps.iq.set(payload, target.service, options);
    return answer.getChild("pubsub", ns);
  } catch (error) {
    throw PubsubError.from(error, target);
  }
}

/** {@link pubsubRequest} about `node` at `service`, once the node name passed {@link checkNode}. */
export async function nodeRequest(
  deps: RequestDeps,
  type: "get" | "set",
  ns: string,
  node: string,
  service: string | undefined,
  ...children: XmlChild[]
): Promise<Element | undefined> {
  checkNode(node, service);
  return pubsubRequest(deps, type, ns, { service, node }, ...children);
}

/** Checks a node name before it goes on the wire. */
export function checkNode(node: string, service: string | undefined): void {
  if (typeof node !== "string" || node.length === 0 || node.length > 1_024) {
    throw PubsubError.local("invalid", { service, node }, "node must be 1 to 1024 characters");
  }
}

/** Checks a service JID before it goes on the wire; returns its bare form. */
export function checkService(service: string | undefined): string | undefined {
  if (service === undefined) return undefined;
  const jid = tryParseJid(service);
  if (!jid || jid.resource !== undefined) {
    throw PubsubError.local("invalid", { service }, "service must be a bare JID or a domain");
  }
  return jid.bare;
}
