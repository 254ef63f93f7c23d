/**
 * XEP-0153 § 3.1 on top of XEP-0054 vCard-temp: the avatar is the vCard's
 * `<PHOTO><TYPE/><BINVAL/></PHOTO>`. Setting it keeps every other vCard
 * field (a vCard set replaces the whole card).
 */
import { type Element, type IqCaller, StanzaError, xml } from "@clawxmpp/core";
import { NS_VCARD } from "./namespaces.js";

/** Fetches the vCard of `jid` (our own when omitted); `undefined` when there is none. */
export async function getVcard(
  iq: IqCaller,
  jid: string | undefined,
  timeout?: number,
): Promise<Element | undefined> {
  try {
    const result = await iq.get(
      xml("vCard", { xmlns: NS_VCARD }),
      jid,
      timeout === undefined ? undefined : { timeout },
    );
    return result.getChild("vCard", NS_VCARD);
  } catch (error) {
    if (error instanceof StanzaError && error.condition === "item-not-found") return undefined;
    throw error;
  }
}

/** Replaces the photo of our vCard (removes it when `photo` is undefined), keeping the other fields. */
export async function setVcardPhoto(
  iq: IqCaller,
  photo: { bytes: Uint8Array; type: string } | undefined,
  timeout?: number,
): Promise<void> {
  const current = await getVcard(iq, undefined, timeout);
  const others = (current?.getChildElements() ?? []).filter((child) => child.name !== "PHOTO");
  await iq.set(
    xml(
      "vCard",
      { xmlns: NS_VCARD },
      ...others,
      photo &&
        xml(
          "PHOTO",
          {},
          xml("TYPE", {}, photo.type),
          xml("BINVAL", {}, Buffer.from(photo.bytes).toString("base64")),
        ),
    ),
    undefined,
    timeout === undefined ? undefined : { timeout },
  );
}

/** The photo of a vCard: its MIME type and base64 text, if any. */
export function readVcardPhoto(
  vcard: Element | undefined,
): { type: string | undefined; base64: string } | undefined {
  const photo = vcard?.getChild("PHOTO");
  const base64 = photo?.getChildText("BINVAL");
  if (!photo || !base64) return undefined;
  return { type: photo.getChildText("TYPE") ?? undefined, base64 };
}
