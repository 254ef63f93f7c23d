/**
 * Public shapes of the `omemo` plugin: what a decrypted message carries, the
 * handle's events and the device view.
 */
import type { EventMap } from "@clawxmpp/core";
import type { OmemoCondition } from "./omemo-error.js";
import type { TrustState } from "./omemo-store.js";
import type { IdentityEvent } from "./trust-policy.js";

/** Set on `message.omemo` when the message arrived OMEMO-encrypted and was decrypted. */
export interface OmemoMessageInfo {
  /** Always true: the body was decrypted (a plaintext message has no `omemo` field). */
  encrypted: true;
  /** The OMEMO version it came in: 1 for 0.3 (`eu.siacs.conversations.axolotl`), 2 for `urn:xmpp:omemo:2`. */
  version: 1 | 2;
  /** The sender's bare JID (in a room: the occupant's real JID). */
  jid: string;
  /** The sending device. */
  deviceId: number;
  /** The sending device's fingerprint (64 hex characters). */
  fingerprint: string;
  /** Our trust in that device: `trusted` (blindly) or `verified`. */
  trust: TrustState;
  /** The message built a new session (a PreKey message). */
  prekey: boolean;
}

/** An encrypted message we could not (or would not) decrypt; it was dropped. */
export interface UndecryptableEvent {
  /** The stanza's `from`. */
  from: string;
  /** The sender's bare JID as resolved (the real JID in rooms), when known. */
  jid: string | undefined;
  /** The sending device, when the header could be read. */
  deviceId: number | undefined;
  /** Why: `duplicate`, `no-key` (not for this device), `untrusted`, `bad-mac`, `bad-tag`, `malformed`… */
  condition: OmemoCondition | "plaintext-refused" | "room";
  /** A readable reason (also logged). */
  reason: string;
}

/** A device appeared in a device list (a contact's, or another client of our account). */
export interface DeviceAddedEvent {
  jid: string;
  deviceId: number;
  /** True when the device belongs to our own account (another client of ours). */
  own: boolean;
}

/** A device as {@link OmemoHandle.devices} describes it. */
export interface DeviceInfo {
  jid: string;
  deviceId: number;
  /** Fingerprint, once its identity key was seen (a session was built or a message received). */
  fingerprint: string | undefined;
  trust: TrustState | undefined;
}

/** Events of the `omemo` handle. */
export interface OmemoEvents extends EventMap {
  /** Our device list entry and bundle were published (after each new session). */
  published: [{ deviceId: number }];
  deviceAdded: [DeviceAddedEvent];
  /** A device's identity key was seen for the first time (or changed), with the trust decided. */
  identity: [IdentityEvent];
  undecryptable: [UndecryptableEvent];
}
