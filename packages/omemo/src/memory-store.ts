/**
 * An {@link OmemoStore} in memory: for tests and throwaway bots (a restart
 * means a new device). The file store builds on it and persists after
 * every change. Values are copied in and out so callers cannot alias state.
 */
import { type DeviceAddress, encodeAddress } from "./device-address.js";
import { emptyState, type OmemoState } from "./omemo-state.js";
import type {
  OmemoStore,
  OwnDevice,
  StoredPreKey,
  StoredSignedPreKey,
  TrustState,
} from "./omemo-store.js";

const copy = <T>(value: T): T => structuredClone(value);

/** An OMEMO store held in memory. */
export class MemoryOmemoStore implements OmemoStore {
  /** @internal The whole state; the file store serialises it. */
  protected state: OmemoState = emptyState();

  /** Called after every change; the file store writes the state here. */
  protected changed(): Promise<void> {
    return Promise.resolve();
  }

  async getOwnDevice(): Promise<OwnDevice | undefined> {
    return copy(this.state.own);
  }
  setOwnDevice(device: OwnDevice): Promise<void> {
    this.state.own = copy(device);
    return this.changed();
  }

  async getPreKey(id: number): Promise<StoredPreKey | undefined> {
    return copy(this.state.preKeys.get(id));
  }
  async listPreKeys(): Promise<StoredPreKey[]> {
    return copy([...this.state.preKeys.values()].sort((a, b) => a.id - b.id));
  }
  storePreKeys(preKeys: readonly StoredPreKey[]): Promise<void> {
    for (const preKey of preKeys) this.state.preKeys.set(preKey.id, copy(preKey));
    return this.changed();
  }
  removePreKey(id: number): Promise<void> {
    if (!this.state.preKeys.delete(id)) return Promise.resolve();
    return this.changed();
  }

  async getSignedPreKey(id: number): Promise<StoredSignedPreKey | undefined> {
    return copy(this.state.signedPreKeys.get(id));
  }
  async listSignedPreKeys(): Promise<StoredSignedPreKey[]> {
    return copy([...this.state.signedPreKeys.values()].sort((a, b) => a.id - b.id));
  }
  storeSignedPreKey(signedPreKey: StoredSignedPreKey): Promise<void> {
    this.state.signedPreKeys.set(signedPreKey.id, copy(signedPreKey));
    return this.changed();
  }
  removeSignedPreKey(id: number): Promise<void> {
    if (!this.state.signedPreKeys.delete(id)) return Promise.resolve();
    return this.changed();
  }

  async getSession(address: DeviceAddress): Promise<string | undefined> {
    return this.state.sessions.get(encodeAddress(address));
  }
  storeSession(address: DeviceAddress, record: string): Promise<void> {
    this.state.sessions.set(encodeAddress(address), record);
    return this.changed();
  }
  removeSession(address: DeviceAddress): Promise<void> {
    if (!this.state.sessions.delete(encodeAddress(address))) return Promise.resolve();
    return this.changed();
  }

  async getIdentity(address: DeviceAddress): Promise<Uint8Array | undefined> {
    return copy(this.state.identities.get(encodeAddress(address)));
  }
  storeIdentity(address: DeviceAddress, identityKey: Uint8Array): Promise<void> {
    this.state.identities.set(encodeAddress(address), copy(identityKey));
    return this.changed();
  }

  async getTrust(address: DeviceAddress): Promise<TrustState | undefined> {
    return this.state.trust.get(encodeAddress(address));
  }
  setTrust(address: DeviceAddress, trust: TrustState): Promise<void> {
    this.state.trust.set(encodeAddress(address), trust);
    return this.changed();
  }

  async getOwnDevice2(): Promise<string | undefined> {
    return this.state.own2;
  }
  setOwnDevice2(record: string): Promise<void> {
    this.state.own2 = record;
    return this.changed();
  }

  async getSession2(address: DeviceAddress): Promise<string | undefined> {
    return this.state.sessions2.get(encodeAddress(address));
  }
  storeSession2(address: DeviceAddress, record: string): Promise<void> {
    this.state.sessions2.set(encodeAddress(address), record);
    return this.changed();
  }
  removeSession2(address: DeviceAddress): Promise<void> {
    if (!this.state.sessions2.delete(encodeAddress(address))) return Promise.resolve();
    return this.changed();
  }
}
