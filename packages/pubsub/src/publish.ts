/**
 * Publishing and retracting items (XEP-0060 § 7.1 and § 7.2). Publish
 * options (§ 7.1.5) are preconditions: when the node exists with another
 * configuration the service answers `conflict` + `precondition-not-met`;
 * servers (Prosody, ejabberd) then expect the owner to configure the node
 * (§ 8.2) and publish again, which we do exactly once.
 */
import { type Element, xml } from "@clawxmpp/core";
import { type FormValue, submitForm } from "./data-form.js";
import { FORM_PUBLISH_OPTIONS, NS_PUBSUB } from "./namespaces.js";
import { configureNode } from "./owner-requests.js";
import { PubsubError } from "./pubsub-error.js";
import { checkNode, nodeRequest, pubsubRequest, type RequestDeps } from "./pubsub-request.js";
import type { PublishOptions } from "./pubsub-types.js";

/** Publishes `payload` to `node`; resolves with the item id (the service's, when it assigned one). */
export async function publishItem(
  deps: RequestDeps,
  node: string,
  payload: Element | undefined,
  options: PublishOptions = {},
): Promise<{ id: string | undefined }> {
  const { service } = options;
  checkNode(node, service);
  const send = () =>
    pubsubRequest(
      deps,
      "set",
      NS_PUBSUB,
      { service, node },
      xml("publish", { node }, xml("item", { id: options.id }, payload)),
      options.options &&
        xml("publish-options", {}, submitForm(FORM_PUBLISH_OPTIONS, options.options)),
    );
  let answer: Element | undefined;
  try {
    answer = await send();
  } catch (error) {
    if (!(error instanceof PubsubError) || !isPreconditionFailure(error)) throw error;
    if (!options.options || options.reconfigure === false) throw error;
    await configureNode(deps, node, options.options as Record<string, FormValue>, { service });
    answer = await send();
  }
  const id = answer?.getChild("publish")?.getChild("item")?.attrs.id;
  return { id: id ?? options.id };
}

/** § 7.1.5: the node's configuration does not match the publish options. */
function isPreconditionFailure(error: PubsubError): boolean {
  return error.pubsubCondition === "precondition-not-met";
}

/** Retracts item `id` from `node` (§ 7.2); `notify` asks the service to tell subscribers. */
export async function retractItem(
  deps: RequestDeps,
  node: string,
  id: string,
  options: { service?: string; notify?: boolean } = {},
): Promise<void> {
  const notify = options.notify === false ? undefined : "true";
  const retract = xml("retract", { node, notify }, xml("item", { id }));
  await nodeRequest(deps, "set", NS_PUBSUB, node, options.service, retract);
}
