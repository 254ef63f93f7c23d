/**
 * The OMEMO 2 bundle (XEP-0384 0.8 § 5.3.2), one item per device id on PEP
 * node `urn:xmpp:omemo:2:bundles`:
 *
 *   <bundle xmlns='urn:xmpp:omemo:2'>
 *     <spk id='N'>b64</spk> <spks>b64</spks> <ik>b64</ik>
 *     <prekeys><pk id='N'>b64</pk>…</prekeys>
 *   </bundle>
 *
 * Keys are 32 raw bytes (X25519 prekeys, Ed25519 identity), the signature 64
 * bytes. The signature is checked when a session is built (`verifyBundle`).
 */
import { type Element, xml } from "@clawxmpp/core";
import { decodeBase64, encodeBase64 } from "../bytes.js";
import { OmemoError } from "../omemo-error.js";
import {
  checkId,
  DEFAULT_WIRE_LIMITS,
  parseId,
  SIGNATURE_BYTES,
  singleChild,
  type WireLimits,
} from "../wire-limits.js";
import { exactLength, KEY_BYTES } from "./messages.js";
import { NS_OMEMO2 } from "./namespaces.js";
import type { Bundle2 } from "./x3dh.js";

function read(element: Element | undefined, length: number, what: string): Uint8Array {
  if (!element) throw new OmemoError("malformed", `${what} is missing`);
  return exactLength(decodeBase64(element.getText(), length, what), length, what, "malformed");
}

/** Builds `<bundle/>`. */
export function buildBundle2(bundle: Bundle2): Element {
  const key = (bytes: Uint8Array, what: string) =>
    encodeBase64(exactLength(bytes, KEY_BYTES, what, "invalid"));
  return xml(
    "bundle",
    { xmlns: NS_OMEMO2 },
    xml(
      "spk",
      { id: checkId(bundle.signedPreKey.id, "signed prekey id", 0) },
      key(bundle.signedPreKey.publicKey, "spk"),
    ),
    xml(
      "spks",
      {},
      encodeBase64(exactLength(bundle.signedPreKey.signature, SIGNATURE_BYTES, "spks", "invalid")),
    ),
    xml("ik", {}, key(bundle.identityKey, "ik")),
    xml(
      "prekeys",
      {},
      bundle.preKeys.map((preKey) =>
        xml(
          "pk",
          { id: checkId(preKey.id, "prekey id", 0) },
          key(preKey.publicKey, `pk ${preKey.id}`),
        ),
      ),
    ),
  );
}

/** Parses `<bundle/>`, refusing anything malformed, duplicated or beyond `limits`. */
export function parseBundle2(element: Element, limits: WireLimits = DEFAULT_WIRE_LIMITS): Bundle2 {
  if (!element.is("bundle", NS_OMEMO2))
    throw new OmemoError("malformed", `expected <bundle xmlns='${NS_OMEMO2}'>`);
  const spk = singleChild(element, "spk", NS_OMEMO2, "<bundle>");
  const signedPreKey = {
    id: parseId(spk?.attrs.id, "spk id", 0),
    publicKey: read(spk, KEY_BYTES, "spk"),
    signature: read(singleChild(element, "spks", NS_OMEMO2, "<bundle>"), SIGNATURE_BYTES, "spks"),
  };
  const identityKey = read(singleChild(element, "ik", NS_OMEMO2, "<bundle>"), KEY_BYTES, "ik");
  const prekeys = singleChild(element, "prekeys", NS_OMEMO2, "<bundle>");
  if (!prekeys) throw new OmemoError("malformed", "<bundle> has no <prekeys>");
  const pks = prekeys.getChildren("pk", NS_OMEMO2);
  if (pks.length > limits.maxPreKeys) {
    throw new OmemoError(
      "too-large",
      `bundle has ${pks.length} prekeys (limit ${limits.maxPreKeys})`,
    );
  }
  const seen = new Set<number>();
  const preKeys = pks.map((pk) => {
    const id = parseId(pk.attrs.id, "pk id", 0);
    if (seen.has(id)) throw new OmemoError("malformed", `bundle repeats prekey id ${id}`);
    seen.add(id);
    return { id, publicKey: read(pk, KEY_BYTES, `pk ${id}`) };
  });
  return { identityKey, signedPreKey, preKeys };
}
