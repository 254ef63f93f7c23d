/**
 * The OMEMO trust layer (XEP-0384 0.3 § 5; B7), decided per
 * (bare JID, device id, identity key) outside libsignal, whose own check
 * cannot tell devices apart and is not awaited for PreKey messages.
 *
 * The first time a device's identity key is seen it gets a state:
 * `verified` when its fingerprint is in `trustedFingerprints`; otherwise
 * `always` → `trusted`; `btbv` → `trusted` unless one of the contact's
 * devices is verified (then `undecided`); `manual` → `undecided`. A changed
 * identity key for a known device id is treated as a new device. Only
 * `trusted` and `verified` devices are encrypted for and decrypted from.
 */
import { bytesEqual } from "./bytes.js";
import type { DeviceAddress } from "./device-address.js";
import { fingerprintHex } from "./fingerprint.js";
import type { TrustMode } from "./omemo-options.js";
import type { OmemoStore, TrustState } from "./omemo-store.js";

/** A device whose identity key we saw for the first time (or saw change). */
export interface IdentityEvent {
  jid: string;
  deviceId: number;
  /** 64 hex characters (the clients' fingerprint without spaces). */
  fingerprint: string;
  trust: TrustState;
  /** `new`: first key seen for this device; `changed`: a different key than before. */
  reason: "new" | "changed";
}

/** What the policy needs. */
export interface TrustPolicyDeps {
  store: OmemoStore;
  mode: TrustMode;
  trustedFingerprints: ReadonlySet<string>;
  /** Known device ids of a JID (for BTBV: is one of them verified?). */
  knownDevices: (jid: string) => readonly number[];
  onIdentity: (event: IdentityEvent) => void;
}

/** Trust decisions of one account. */
export class TrustPolicy {
  readonly #deps: TrustPolicyDeps;

  constructor(deps: TrustPolicyDeps) {
    this.#deps = deps;
  }

  /** The `TrustCheck` given to `OmemoSessions`: decides (and records) on first sight. */
  readonly isTrusted = async (
    address: DeviceAddress,
    identityKey: Uint8Array,
  ): Promise<boolean> => {
    const state = await this.decide(address, identityKey);
    return state === "trusted" || state === "verified";
  };

  /** The state of a device's key, deciding it on first sight. */
  async decide(address: DeviceAddress, identityKey: Uint8Array): Promise<TrustState> {
    const { store } = this.#deps;
    const fingerprint = fingerprintHex(identityKey);
    const known = await store.getIdentity(address);
    const stored = await store.getTrust(address);
    const pinned = this.#deps.trustedFingerprints.has(fingerprint);
    if (known && bytesEqual(known, identityKey) && stored !== undefined) {
      // An operator's pin wins over an earlier automatic decision.
      if (pinned && stored !== "verified" && stored !== "untrusted") {
        await store.setTrust(address, "verified");
        return "verified";
      }
      return stored;
    }
    const state = pinned ? "verified" : await this.#firstSight(address.jid);
    // The key is recorded with its decision, so a later message meets the same answer.
    await store.storeIdentity(address, identityKey);
    await store.setTrust(address, state);
    this.#deps.onIdentity({
      jid: address.jid,
      deviceId: address.deviceId,
      fingerprint,
      trust: state,
      reason: known && !bytesEqual(known, identityKey) ? "changed" : "new",
    });
    return state;
  }

  /** Sets a device's trust (an operator's decision). */
  async set(address: DeviceAddress, state: TrustState): Promise<void> {
    await this.#deps.store.setTrust(address, state);
  }

  async #firstSight(jid: string): Promise<TrustState> {
    switch (this.#deps.mode) {
      case "always":
        return "trusted";
      case "manual":
        return "undecided";
      case "btbv":
        return (await this.#hasVerified(jid)) ? "undecided" : "trusted";
    }
  }

  async #hasVerified(jid: string): Promise<boolean> {
    for (const deviceId of this.#deps.knownDevices(jid)) {
      if ((await this.#deps.store.getTrust({ jid, deviceId })) === "verified") return true;
    }
    return false;
  }
}
