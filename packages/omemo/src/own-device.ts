/**
 * Our device on PEP (XEP-0384 0.3 § 4.2–4.3; B1, B4 §7): the device list
 * (ours merged into whatever other clients of the account published) and our
 * bundle, both with `access_model=open` so contacts without a presence
 * subscription can start sessions. Our id is put back when another client
 * drops it; consumed prekeys are replaced and the bundle republished; the
 * signed prekey is rotated once it is older than the configured age.
 *
 * Publishing runs through one queue, so two triggers (a notification and a
 * consumed prekey) never interleave their read-modify-write.
 */
import type { Logger } from "@clawxmpp/core";
import type { PubsubHandle } from "@clawxmpp/pubsub";
import { buildBundle } from "./bundle-element.js";
import { buildDeviceList, type DeviceEntry, parseDeviceList } from "./device-list.js";
import { ownBundle, replenishPreKeys, rotateSignedPreKey } from "./key-manager.js";
import { KeyedQueue } from "./keyed-queue.js";
import { bundleNode, NODE_DEVICE_LIST } from "./namespaces.js";
import type { OmemoStore, OwnDevice } from "./omemo-store.js";

const OPEN = { access_model: "open" } as const;

/** What the publisher needs. */
export interface OwnDevicePublisherDeps {
  pubsub: PubsubHandle;
  store: OmemoStore;
  own: OwnDevice;
  logger: Logger;
  label: string | undefined;
  preKeyCount: number;
  signedPreKeyRotation: number;
  now: () => number;
}

/** Keeps our device list entry and bundle published. */
export class OwnDevicePublisher {
  readonly #deps: OwnDevicePublisherDeps;
  readonly #queue = new KeyedQueue();
  /** Device list entries of our account as last read or published. */
  #devices: DeviceEntry[] = [];

  constructor(deps: OwnDevicePublisherDeps) {
    this.#deps = deps;
  }

  /** Our account's other devices as last seen. */
  get otherDevices(): number[] {
    return this.#devices.map((d) => d.id).filter((id) => id !== this.#deps.own.deviceId);
  }

  /** Reads our device list, adds our device when missing, and publishes our bundle. */
  publishAll(): Promise<void> {
    return this.#queue.run("pep", async () => {
      await this.#ensureListed(await this.#readList());
      await this.#publishBundle();
    });
  }

  /**
   * Our own list arrived in a notification: remember it, and put our device back when another
   * client removed it. Resolves with the list as it now stands.
   */
  ownListChanged(devices: DeviceEntry[]): Promise<void> {
    return this.#queue.run("pep", async () => {
      this.#devices = devices;
      await this.#ensureListed(devices);
    });
  }

  /** Tops up the one-time prekeys after some were consumed, and republishes the bundle. */
  replenish(): Promise<void> {
    return this.#queue.run("pep", async () => {
      const added = await replenishPreKeys(this.#deps.store, {
        preKeyCount: this.#deps.preKeyCount,
      });
      if (added > 0) {
        this.#deps.logger.debug("prekeys replenished", { added });
        await this.#publishBundle();
      }
    });
  }

  /** Rotates the signed prekey when it is older than the configured age; true when it did. */
  rotateIfDue(): Promise<boolean> {
    return this.#queue.run("pep", async () => {
      const { store, own, now, signedPreKeyRotation } = this.#deps;
      const current = await store.getSignedPreKey(
        (await store.getOwnDevice())?.signedPreKeyId ?? own.signedPreKeyId,
      );
      if (current && now() - current.createdAt < signedPreKeyRotation) return false;
      const signed = await rotateSignedPreKey(store);
      this.#deps.logger.info("signed prekey rotated", { id: signed.id });
      await this.#publishBundle();
      return true;
    });
  }

  async #readList(): Promise<DeviceEntry[]> {
    try {
      const [item] = await this.#deps.pubsub.items(NODE_DEVICE_LIST, { max: 1 });
      this.#devices = item?.payload ? parseDeviceList(item.payload) : [];
    } catch (error) {
      if ((error as { condition?: string })?.condition !== "item-not-found") throw error;
      this.#devices = [];
    }
    return this.#devices;
  }

  async #ensureListed(devices: DeviceEntry[]): Promise<void> {
    const id = this.#deps.own.deviceId;
    if (devices.some((d) => d.id === id)) return;
    const next = [...devices, { id, label: this.#deps.label }];
    await this.#deps.pubsub.publish(NODE_DEVICE_LIST, buildDeviceList(next), {
      id: "current",
      options: OPEN,
    });
    this.#devices = next;
    this.#deps.logger.info("our device added to the device list", { deviceId: id });
  }

  async #publishBundle(): Promise<void> {
    const bundle = await ownBundle(this.#deps.store);
    await this.#deps.pubsub.publish(bundleNode(this.#deps.own.deviceId), buildBundle(bundle), {
      id: "current",
      options: OPEN,
    });
  }
}
