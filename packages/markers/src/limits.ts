/**
 * Bounds applied to everything read from the network: ids and emoji sets
 * come from untrusted senders.
 */

/** Longest id (stanza id, origin-id, stanza-id) accepted in a reference. */
export const MAX_ID_LENGTH = 256;
/** Most reactions kept from one `<reactions/>` element. */
export const MAX_REACTIONS = 64;

/** The id when it is a usable reference (non-empty, bounded), else `undefined`. */
export function validId(id: string | undefined): string | undefined {
  if (typeof id !== "string") return undefined;
  return id.length > 0 && id.length <= MAX_ID_LENGTH ? id : undefined;
}
