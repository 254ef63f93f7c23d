/**
 * A test plugin that does in its stages what real plugins will (OMEMO, issue
 * #18 defects 5, 6, 9): awaits an IQ while decrypting, replaces the inbound
 * stanza, replaces the outbound stanza with one of another id. It acts only
 * on bodies with its prefixes, so it can sit on any client.
 *
 * The only file that touches the plugin contract: move it to the v2
 * `definePlugin({ name, setup })` form when that lands.
 */
import { definePlugin, type Element, isElement, xml } from "@clawxmpp/core";

/** Bodies starting with this make the decrypt stage await a ping to the server. */
export const IQ_IN_DECRYPT = "iq-in-decrypt ";
/** Bodies starting with this make the decrypt stage replace `ctx.stanza` with a copy. */
export const SWAP = "swap ";
/** Outgoing bodies starting with this get a new stanza with the id `rewritten-<n>` in `build`. */
export const REWRITE_ID = "rewrite-id ";

/** What the probe saw. */
export interface StageProbeHandle {
  /** Body → "ok" or the error the IQ in the decrypt stage ended with. */
  readonly iqInDecrypt: Map<string, string>;
  /** Bodies whose stanza the decrypt stage replaced. */
  readonly swapped: string[];
  /** Ids given to rewritten outgoing stanzas, in order. */
  readonly rewrittenIds: string[];
  stop(): void;
}

/** Options: how long the IQ in the decrypt stage may take. */
export interface StageProbeOptions {
  iqTimeout: number;
}

export const stageProbe = definePlugin(
  "stage-probe",
  (ctx, options: StageProbeOptions): StageProbeHandle => {
    const handle: StageProbeHandle = {
      iqInDecrypt: new Map(),
      swapped: [],
      rewrittenIds: [],
      stop() {},
    };
    ctx.inbound.use("decrypt", async (inbound) => {
      const body = inbound.stanza.getChildText("body") ?? "";
      if (body.startsWith(IQ_IN_DECRYPT)) {
        // Like OMEMO fetching a bundle: the stanza waits for an answer from the server.
        const result = await ctx.iq
          .get(xml("ping", { xmlns: "urn:xmpp:ping" }), undefined, { timeout: options.iqTimeout })
          .then(
            () => "ok",
            (error: unknown) => String(error),
          );
        handle.iqInDecrypt.set(body, result);
      }
      if (body.startsWith(SWAP)) {
        // Like a decrypted payload replacing the encrypted one: a new element object.
        inbound.stanza = copy(inbound.stanza);
        handle.swapped.push(body);
      }
    });
    ctx.outbound.use("build", (outbound) => {
      const body = outbound.stanza.getChildText("body") ?? "";
      if (outbound.stanza.name !== "message" || !body.startsWith(REWRITE_ID)) return;
      const id = `rewritten-${handle.rewrittenIds.length}-${Math.random().toString(36).slice(2, 8)}`;
      const replaced = copy(outbound.stanza);
      replaced.attrs.id = id;
      outbound.stanza = replaced;
      handle.rewrittenIds.push(id);
    });
    return handle;
  },
);

/** A deep copy that shares no object with `element`. */
function copy(element: Element): Element {
  return xml(
    element.name,
    { ...element.attrs },
    ...element.children.map((child) => (isElement(child) ? copy(child) : child)),
  );
}
