/**
 * The legacy OMEMO bundle (XEP-0384 0.3 § 4.3), one PEP node per device
 * (`eu.siacs.conversations.axolotl.bundles:<deviceId>`):
 *
 *   <bundle xmlns='eu.siacs.conversations.axolotl'>
 *     <signedPreKeyPublic signedPreKeyId='N'>b64</signedPreKeyPublic>
 *     <signedPreKeySignature>b64</signedPreKeySignature>
 *     <identityKey>b64</identityKey>
 *     <prekeys><preKeyPublic preKeyId='N'>b64</preKeyPublic>…</prekeys>
 *   </bundle>
 *
 * Keys are libsignal's 33-byte serialisation (0x05 + Curve25519). The
 * signature is checked later, by the session builder, not here.
 */
import { type Element, xml } from "@clawxmpp/core";
import { decodeBase64, encodeBase64 } from "./bytes.js";
import { NS_OMEMO } from "./namespaces.js";
import { OmemoError } from "./omemo-error.js";
import {
  checkId,
  checkPublicKey,
  DEFAULT_WIRE_LIMITS,
  parseId,
  readPublicKey,
  SIGNATURE_BYTES,
  singleChild,
  type WireLimits,
} from "./wire-limits.js";

/** A one-time prekey as published. */
export interface PublicPreKey {
  id: number;
  publicKey: Uint8Array;
}

/** A device's published bundle. */
export interface Bundle {
  identityKey: Uint8Array;
  signedPreKey: PublicPreKey & { signature: Uint8Array };
  preKeys: PublicPreKey[];
}

/** Builds `<bundle/>`. */
export function buildBundle(bundle: Bundle): Element {
  checkPublicKey(bundle.identityKey, "identity key");
  checkPublicKey(bundle.signedPreKey.publicKey, "signed prekey");
  if (bundle.signedPreKey.signature.length !== SIGNATURE_BYTES) {
    throw new OmemoError("invalid", `signed prekey signature is not ${SIGNATURE_BYTES} bytes`);
  }
  return xml(
    "bundle",
    { xmlns: NS_OMEMO },
    xml(
      "signedPreKeyPublic",
      { signedPreKeyId: checkId(bundle.signedPreKey.id, "signed prekey id", 0) },
      encodeBase64(bundle.signedPreKey.publicKey),
    ),
    xml("signedPreKeySignature", {}, encodeBase64(bundle.signedPreKey.signature)),
    xml("identityKey", {}, encodeBase64(bundle.identityKey)),
    xml(
      "prekeys",
      {},
      bundle.preKeys.map((preKey) =>
        xml(
          "preKeyPublic",
          { preKeyId: checkId(preKey.id, "prekey id", 0) },
          encodeBase64(checkPublicKey(preKey.publicKey, `prekey ${preKey.id}`)),
        ),
      ),
    ),
  );
}

/** Parses `<bundle/>`, refusing anything malformed, duplicated or beyond `limits`. */
export function parseBundle(element: Element, limits: WireLimits = DEFAULT_WIRE_LIMITS): Bundle {
  if (!element.is("bundle", NS_OMEMO)) {
    throw new OmemoError("malformed", `expected <bundle xmlns='${NS_OMEMO}'>`);
  }
  const spkElement = singleChild(element, "signedPreKeyPublic", NS_OMEMO, "<bundle>");
  const signedPreKey = {
    id: parseId(spkElement?.attrs.signedPreKeyId, "signedPreKeyId", 0),
    publicKey: readPublicKey(spkElement, "signedPreKeyPublic"),
    signature: readSignature(singleChild(element, "signedPreKeySignature", NS_OMEMO, "<bundle>")),
  };
  const identityKey = readPublicKey(
    singleChild(element, "identityKey", NS_OMEMO, "<bundle>"),
    "identityKey",
  );
  const prekeysElement = singleChild(element, "prekeys", NS_OMEMO, "<bundle>");
  if (!prekeysElement) throw new OmemoError("malformed", "<bundle> has no <prekeys>");
  const preKeyElements = prekeysElement.getChildren("preKeyPublic", NS_OMEMO);
  if (preKeyElements.length > limits.maxPreKeys) {
    throw new OmemoError(
      "too-large",
      `bundle has ${preKeyElements.length} prekeys (limit ${limits.maxPreKeys})`,
    );
  }
  const seen = new Set<number>();
  const preKeys = preKeyElements.map((preKey) => {
    const id = parseId(preKey.attrs.preKeyId, "preKeyId", 0);
    if (seen.has(id)) throw new OmemoError("malformed", `bundle repeats prekey id ${id}`);
    seen.add(id);
    return { id, publicKey: readPublicKey(preKey, `prekey ${id}`) };
  });
  return { identityKey, signedPreKey, preKeys };
}

function readSignature(element: Element | undefined): Uint8Array {
  if (!element) throw new OmemoError("malformed", "signedPreKeySignature is missing");
  const signature = decodeBase64(element.getText(), SIGNATURE_BYTES, "signedPreKeySignature");
  if (signature.length !== SIGNATURE_BYTES) {
    throw new OmemoError("malformed", `signedPreKeySignature is not ${SIGNATURE_BYTES} bytes`);
  }
  return signature;
}
