/**
 * Reads the sender's identity key and the prekey ids out of a libsignal
 * PreKeySignalMessage (version byte 0x33, then the protobuf
 * `PreKeyWhisperMessage { preKeyId = 1; baseKey = 2; identityKey = 3;
 * message = 4; registrationId = 5; signedPreKeyId = 6 }`) without
 * decrypting it, so trust is decided BEFORE the library builds a session
 * (its own check is not awaited: B4 §2).
 */
import { OmemoError } from "./omemo-error.js";

/** The fields trust and prekey bookkeeping need. */
export interface PreKeyMessageInfo {
  identityKey: Uint8Array;
  preKeyId: number | undefined;
  signedPreKeyId: number | undefined;
}

/** Parses the header of a PreKeySignalMessage; refuses anything that is not one. */
export function readPreKeyMessage(data: Uint8Array): PreKeyMessageInfo {
  if (data.length < 2 || (data[0] ?? 0) >> 4 !== 3) {
    throw new OmemoError("malformed", "not a version 3 PreKeySignalMessage");
  }
  let offset = 1;
  let identityKey: Uint8Array | undefined;
  let preKeyId: number | undefined;
  let signedPreKeyId: number | undefined;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = data[offset++];
      if (byte === undefined) break;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new OmemoError("malformed", "truncated or oversized varint in PreKeySignalMessage");
  };
  while (offset < data.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (wireType === 0) {
      const value = varint();
      if (field === 1) preKeyId = value;
      if (field === 6) signedPreKeyId = value;
    } else if (wireType === 2) {
      const length = varint();
      if (offset + length > data.length) {
        throw new OmemoError("malformed", "truncated field in PreKeySignalMessage");
      }
      if (field === 3) identityKey = data.slice(offset, offset + length);
      offset += length;
    } else {
      throw new OmemoError("malformed", `unexpected wire type ${wireType} in PreKeySignalMessage`);
    }
  }
  if (identityKey?.length !== 33 || identityKey[0] !== 0x05) {
    throw new OmemoError("malformed", "PreKeySignalMessage has no valid identity key");
  }
  return { identityKey, preKeyId, signedPreKeyId };
}
