/** The public surface of the `omemo` plugin (XEP-0384 0.3). */
import type { Events, OutgoingMessage, PluginHandle } from "@clawxmpp/core";
import type { TrustState } from "./omemo-store.js";
import type { DeviceInfo, OmemoEvents } from "./omemo-types.js";

/** Our device as contacts see it. */
export interface OmemoIdentity {
  /** Our OMEMO device id. */
  deviceId: number;
  /** Our fingerprint, 64 lowercase hex characters. */
  fingerprint: string;
  /** The same in the clients' display form: 8 groups of 8. */
  display: string;
}

/** The handle returned by `client.use(omemo, options)`. */
export interface OmemoHandle extends PluginHandle, Events<OmemoEvents> {
  /** Resolves once our device exists (store opened, keys generated or loaded); rejects when it cannot. */
  readonly ready: Promise<OmemoIdentity>;
  /** Our device id and fingerprint (waits for `ready`). */
  identity(): Promise<OmemoIdentity>;
  /** Resolves once our device list entry and bundle are published for the current session. */
  published(): Promise<void>;
  /**
   * Sends `body` OMEMO-encrypted to a contact (type `chat`) or a non-anonymous room
   * (`type: "groupchat"`); rejects when no trusted device can be encrypted for.
   */
  sendEncrypted(
    to: string,
    body: string,
    extra?: Omit<OutgoingMessage, "to" | "body" | "omemo">,
  ): Promise<{ id: string }>;
  /** A contact's devices (fetched or cached), with fingerprint and trust once known. */
  devices(jid: string, options?: { refresh?: boolean }): Promise<DeviceInfo[]>;
  /** Records an operator's decision about a device (`verified`, `untrusted`…). */
  setTrust(jid: string, deviceId: number, state: TrustState): Promise<void>;
  /** True when `jid` publishes at least one OMEMO device. */
  hasOmemo(jid: string): Promise<boolean>;
}
