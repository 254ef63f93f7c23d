/**
 * XEP-0084 over PEP: the data node (§ 4.1, base64 bytes, item id = SHA-1)
 * is published before the metadata node (§ 4.2) that announces it, as
 * § 4.3 requires, both with the configured access model.
 */
import { type Element, xml } from "@clawxmpp/core";
import type { PubsubHandle } from "@clawxmpp/pubsub";
import { NS_AVATAR_DATA, NS_AVATAR_METADATA } from "./namespaces.js";
import type { AvatarInfo } from "./profile-types.js";

const HEX_SHA1 = /^[0-9a-f]{40}$/u;

/** Publishes `bytes` described by `info`: data first, then metadata. */
export async function publishAvatarNodes(
  ps: PubsubHandle,
  bytes: Uint8Array,
  info: AvatarInfo,
  accessModel: string,
): Promise<void> {
  const options = { access_model: accessModel };
  await ps.publish(
    NS_AVATAR_DATA,
    xml("data", { xmlns: NS_AVATAR_DATA }, Buffer.from(bytes).toString("base64")),
    { id: info.id, options },
  );
  await ps.publish(
    NS_AVATAR_METADATA,
    xml(
      "metadata",
      { xmlns: NS_AVATAR_METADATA },
      xml("info", {
        id: info.id,
        type: info.type,
        bytes: info.bytes,
        width: info.width,
        height: info.height,
      }),
    ),
    { id: info.id, options },
  );
}

/**
 * Reads a metadata payload: the first `<info/>` served from the data node
 * (no `url`, § 4.2.1) with a valid id and size; `undefined` for "no avatar"
 * (empty metadata, § 4.5) or nothing usable.
 */
export function readAvatarMetadata(payload: Element | undefined): AvatarInfo | undefined {
  if (!payload?.is("metadata", NS_AVATAR_METADATA)) return undefined;
  for (const info of payload.getChildren("info").slice(0, 16)) {
    const { id, type, url } = info.attrs;
    const bytes = Number(info.attrs.bytes);
    if (url !== undefined || !id || !HEX_SHA1.test(id.toLowerCase()) || !type) continue;
    if (!Number.isSafeInteger(bytes) || bytes <= 0) continue;
    return {
      id: id.toLowerCase(),
      type: type.slice(0, 100),
      bytes,
      width: dimension(info.attrs.width),
      height: dimension(info.attrs.height),
    };
  }
  return undefined;
}

function dimension(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isSafeInteger(n) && n > 0 && n <= 65_535 ? n : undefined;
}
