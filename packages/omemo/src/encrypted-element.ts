/**
 * The `<encrypted/>` element of legacy OMEMO (XEP-0384 0.3 § 4.5 / § 4.6):
 *
 *   <encrypted xmlns='eu.siacs.conversations.axolotl'>
 *     <header sid='SENDER_DEVICE'>
 *       <key rid='DEVICE' [prekey='true']>b64(Signal message)</key>…
 *       <iv>b64</iv>
 *     </header>
 *     [<payload>b64(ciphertext without tag)</payload>]
 *   </encrypted>
 *
 * Without `<payload>` it is a key-transport ("empty") message. Parsing is
 * strict and bounded: ids 31-bit, base64 canonical, counts and sizes limited.
 */
import { type Element, xml } from "@clawxmpp/core";
import { decodeBase64, encodeBase64 } from "./bytes.js";
import { NS_OMEMO } from "./namespaces.js";
import { OmemoError } from "./omemo-error.js";
import {
  checkId,
  clip,
  DEFAULT_WIRE_LIMITS,
  parseId,
  singleChild,
  type WireLimits,
} from "./wire-limits.js";

/** One recipient device's copy of the message key. */
export interface EncryptedKey {
  /** Recipient device id. */
  rid: number;
  /** True when `data` is a PreKeySignalMessage (libsignal type 3) that builds a session. */
  prekey: boolean;
  /** The serialised Signal message carrying key ‖ tag. */
  data: Uint8Array;
}

/** A parsed or to-be-built `<encrypted/>` element. */
export interface EncryptedMessage {
  /** Sender device id. */
  sid: number;
  keys: EncryptedKey[];
  iv: Uint8Array;
  /** Ciphertext without tag; undefined for a key-transport message. */
  payload?: Uint8Array | undefined;
}

/** Builds `<encrypted/>`. */
export function buildEncrypted(message: EncryptedMessage): Element {
  checkId(message.sid, "sender device id");
  if (message.iv.length === 0) throw new OmemoError("invalid", "empty IV");
  return xml(
    "encrypted",
    { xmlns: NS_OMEMO },
    xml(
      "header",
      { sid: message.sid },
      message.keys.map((key) =>
        xml(
          "key",
          { rid: checkId(key.rid, "recipient device id"), prekey: key.prekey ? "true" : undefined },
          encodeBase64(key.data),
        ),
      ),
      xml("iv", {}, encodeBase64(message.iv)),
    ),
    message.payload && xml("payload", {}, encodeBase64(message.payload)),
  );
}

/** Finds the legacy OMEMO `<encrypted/>` child of a message, if any. */
export function findEncrypted(message: Element): Element | undefined {
  return message.getChild("encrypted", NS_OMEMO);
}

/** Parses `<encrypted/>`, refusing anything malformed or beyond `limits`. */
export function parseEncrypted(
  element: Element,
  limits: WireLimits = DEFAULT_WIRE_LIMITS,
): EncryptedMessage {
  if (!element.is("encrypted", NS_OMEMO)) {
    throw new OmemoError("malformed", `expected <encrypted xmlns='${NS_OMEMO}'>`);
  }
  const header = singleChild(element, "header", NS_OMEMO, "<encrypted>");
  if (!header) throw new OmemoError("malformed", "<encrypted> has no <header>");
  const sid = parseId(header.attrs.sid, "header sid");
  const keyElements = header.getChildren("key", NS_OMEMO);
  if (keyElements.length > limits.maxKeys) {
    throw new OmemoError(
      "too-large",
      `<header> has ${keyElements.length} keys (limit ${limits.maxKeys})`,
    );
  }
  const keys = keyElements.map((key) => ({
    rid: parseId(key.attrs.rid, "key rid"),
    prekey: parsePrekeyFlag(key.attrs.prekey),
    data: nonEmpty(decodeBase64(key.getText(), limits.maxKeyBytes, "<key>"), "<key>"),
  }));
  const ivElement = singleChild(header, "iv", NS_OMEMO, "<header>");
  if (!ivElement) throw new OmemoError("malformed", "<header> has no <iv>");
  const iv = nonEmpty(decodeBase64(ivElement.getText(), limits.maxIvBytes, "<iv>"), "<iv>");
  const payloadElement = singleChild(element, "payload", NS_OMEMO, "<encrypted>");
  const payload = payloadElement
    ? decodeBase64(payloadElement.getText(), limits.maxPayloadBytes, "<payload>")
    : undefined;
  return { sid, keys, iv, payload };
}

// XML Schema booleans, as clients write both forms.
function parsePrekeyFlag(value: string | undefined): boolean {
  if (value === undefined || value === "false" || value === "0") return false;
  if (value === "true" || value === "1") return true;
  throw new OmemoError("malformed", `key prekey='${clip(value)}' is not a boolean`);
}

function nonEmpty(bytes: Uint8Array, what: string): Uint8Array {
  if (bytes.length === 0) throw new OmemoError("malformed", `${what} is empty`);
  return bytes;
}
