/**
 * Fetching a contact's avatar: XEP-0084 first (metadata § 4.2, then the
 * data item with that id, § 4.1), the XEP-0153 vCard photo as fallback.
 * Sizes are bounded before decoding and the bytes must hash to the id the
 * contact announced (the metadata id, or their presence photo hash).
 */
import { type IqCaller, tryParseJid } from "@clawxmpp/core";
import type { PubsubHandle } from "@clawxmpp/pubsub";
import { absentAsUndefined, latestPayload } from "./absent.js";
import { decodeBase64, sha1Hex } from "./avatar-bytes.js";
import { readAvatarMetadata } from "./avatar-pep.js";
import { readImageHeader } from "./image-header.js";
import { NS_AVATAR_DATA, NS_AVATAR_METADATA } from "./namespaces.js";
import { ProfileError } from "./profile-error.js";
import type { Avatar, AvatarInfo } from "./profile-types.js";
import { getVcard, readVcardPhoto } from "./vcard.js";

/** What fetching needs. */
export interface FetchDeps {
  ps: PubsubHandle;
  iq: IqCaller;
  maxBytes: number;
  /** The hash `jid` announced in presence, if known (`""`: no avatar). */
  announced(jid: string): string | undefined;
}

/** Fetches `jid`'s avatar; `undefined` when they have none we may see. */
export async function fetchAvatar(deps: FetchDeps, jid: string): Promise<Avatar | undefined> {
  const bare = contactJid(jid);
  const fromPep = await fetchFromPep(deps, bare);
  return fromPep ?? fetchFromVcard(deps, bare);
}

async function fetchFromPep(deps: FetchDeps, bare: string): Promise<Avatar | undefined> {
  const info = readAvatarMetadata(await latestPayload(deps.ps, NS_AVATAR_METADATA, bare));
  if (!info) return undefined;
  if (info.bytes > deps.maxBytes) {
    throw new ProfileError(
      "too-large",
      `${bare}'s avatar is ${info.bytes} bytes; the limit is ${deps.maxBytes}`,
    );
  }
  const text = await absentAsUndefined(async () => {
    const items = await deps.ps.items(NS_AVATAR_DATA, { service: bare, ids: [info.id] });
    const item = items.find((i) => i.id === info.id) ?? items[0];
    return item?.payload?.is("data", NS_AVATAR_DATA) ? item.payload.text() : undefined;
  });
  if (text === undefined) return undefined;
  const data = decodeBase64(text, deps.maxBytes, `${bare}'s avatar`);
  verify(data, info.id, bare);
  return { ...info, bytes: data.length, data, source: "pep" };
}

async function fetchFromVcard(deps: FetchDeps, bare: string): Promise<Avatar | undefined> {
  const vcard = await absentAsUndefined(() => getVcard(deps.iq, bare));
  const photo = readVcardPhoto(vcard);
  if (!photo) return undefined;
  const data = decodeBase64(photo.base64, deps.maxBytes, `${bare}'s vCard photo`);
  const id = sha1Hex(data);
  const announced = deps.announced(bare);
  if (announced) verify(data, announced, bare);
  const info: AvatarInfo = {
    id,
    type: photo.type ?? "application/octet-stream",
    bytes: data.length,
    width: undefined,
    height: undefined,
  };
  try {
    const header = readImageHeader(data);
    Object.assign(info, header);
  } catch {
    // Not PNG/JPEG: the contact's choice; we hand the bytes over without dimensions.
  }
  return { ...info, data, source: "vcard" };
}

function verify(data: Uint8Array, id: string, bare: string): void {
  if (sha1Hex(data) !== id) {
    throw new ProfileError(
      "hash-mismatch",
      `${bare}'s avatar does not match its announced hash ${id}`,
    );
  }
}

/** The bare JID of a contact given by the caller; a {@link ProfileError} when it is not a JID. */
export function contactJid(jid: string): string {
  const parsed = tryParseJid(jid);
  if (!parsed) throw new ProfileError("invalid", `"${jid}" is not a JID`);
  return parsed.bare;
}
