/**
 * The OMEMO 2 message element (XEP-0384 0.8 § 4.4, § 5.4):
 *
 *   <encrypted xmlns='urn:xmpp:omemo:2'>
 *     <header sid='sender device'>
 *       <keys jid='recipient bare JID'><key rid='device' kex='true'?>b64</key>…</keys>…
 *     </header>
 *     <payload>b64</payload>   (absent in an empty OMEMO message)
 *   </encrypted>
 *
 * `<key>` holds an OMEMOAuthenticatedMessage, or an OMEMOKeyExchange when
 * `kex` is true. Parsing is bounded by the 0.3 wire limits (keys per
 * message, bytes per key, payload bytes) and refuses duplicates.
 */
import { type Element, parseJid, xml } from "@clawxmpp/core";
import { decodeBase64, encodeBase64 } from "../bytes.js";
import { OmemoError } from "../omemo-error.js";
import {
  checkId,
  clip,
  DEFAULT_WIRE_LIMITS,
  parseId,
  singleChild,
  type WireLimits,
} from "../wire-limits.js";
import { NS_OMEMO2 } from "./namespaces.js";

/** One `<key>`: for device `rid` of `jid`. */
export interface EncryptedKeyEntry2 {
  jid: string;
  rid: number;
  kex: boolean;
  data: Uint8Array;
}

/** A parsed `<encrypted>`. */
export interface EncryptedMessage2 {
  sid: number;
  keys: EncryptedKeyEntry2[];
  /** Absent for an empty OMEMO message. */
  payload?: Uint8Array | undefined;
}

/** Builds `<encrypted/>`, grouping keys per recipient JID. */
export function buildEncrypted2(message: EncryptedMessage2): Element {
  const byJid = new Map<string, Element[]>();
  for (const key of message.keys) {
    const jid = parseJid(key.jid).bare;
    const list = byJid.get(jid) ?? [];
    list.push(
      xml(
        "key",
        { rid: checkId(key.rid, "recipient device id"), kex: key.kex ? "true" : undefined },
        encodeBase64(key.data),
      ),
    );
    byJid.set(jid, list);
  }
  return xml(
    "encrypted",
    { xmlns: NS_OMEMO2 },
    xml(
      "header",
      { sid: checkId(message.sid, "sender device id") },
      [...byJid].map(([jid, keys]) => xml("keys", { jid }, keys)),
    ),
    message.payload && xml("payload", {}, encodeBase64(message.payload)),
  );
}

/** The `<encrypted xmlns='urn:xmpp:omemo:2'>` child of a stanza, if any. */
export function findEncrypted2(stanza: Element): Element | undefined {
  return stanza.getChild("encrypted", NS_OMEMO2);
}

function parseKex(value: string | undefined): boolean {
  if (value === undefined || value === "false" || value === "0") return false;
  if (value === "true" || value === "1") return true;
  throw new OmemoError("malformed", `kex='${clip(value)}' is not a boolean`);
}

/** Parses `<encrypted/>`; refuses anything malformed, duplicated or beyond `limits`. */
export function parseEncrypted2(
  element: Element,
  limits: WireLimits = DEFAULT_WIRE_LIMITS,
): EncryptedMessage2 {
  if (!element.is("encrypted", NS_OMEMO2))
    throw new OmemoError("malformed", `expected <encrypted xmlns='${NS_OMEMO2}'>`);
  const header = singleChild(element, "header", NS_OMEMO2, "<encrypted>");
  if (!header) throw new OmemoError("malformed", "<encrypted> has no <header>");
  const sid = parseId(header.attrs.sid, "sid");
  const groups = header.getChildren("keys", NS_OMEMO2);
  const keys: EncryptedKeyEntry2[] = [];
  const seen = new Set<string>();
  for (const group of groups) {
    let jid: string;
    try {
      jid = parseJid(group.attrs.jid ?? "").bare;
    } catch (error) {
      throw new OmemoError(
        "malformed",
        `<keys jid='${clip(group.attrs.jid ?? "")}'> is not a JID`,
        { cause: error },
      );
    }
    for (const key of group.getChildren("key", NS_OMEMO2)) {
      if (keys.length >= limits.maxKeys) {
        throw new OmemoError("too-large", `<encrypted> has more than ${limits.maxKeys} keys`);
      }
      const rid = parseId(key.attrs.rid, "rid");
      const id = `${jid}/${rid}`;
      if (seen.has(id))
        throw new OmemoError("malformed", `<encrypted> has two keys for device ${rid} of ${jid}`);
      seen.add(id);
      keys.push({
        jid,
        rid,
        kex: parseKex(key.attrs.kex),
        data: decodeBase64(key.getText(), limits.maxKeyBytes, "<key>"),
      });
    }
  }
  const payloadElement = singleChild(element, "payload", NS_OMEMO2, "<encrypted>");
  const payload =
    payloadElement && decodeBase64(payloadElement.getText(), limits.maxPayloadBytes, "<payload>");
  return { sid, keys, payload };
}
