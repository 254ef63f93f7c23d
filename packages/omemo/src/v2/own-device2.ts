/**
 * Our OMEMO 2 device on PEP (XEP-0384 0.8 § 5.3): our entry in the device
 * list (`urn:xmpp:omemo:2:devices`, item `current`, merged into what other
 * clients of the account published) and our bundle (one item named by our
 * device id on `urn:xmpp:omemo:2:bundles`, whose `max_items` is `max` so
 * every device keeps its own), both `access_model=open`, published beside
 * the 0.3 ones with the same device id and identity. One queue, as for 0.3.
 */
import type { Logger } from "@clawxmpp/core";
import type { PubsubHandle } from "@clawxmpp/pubsub";
import { KeyedQueue } from "../keyed-queue.js";
import { buildBundle2 } from "./bundle-element.js";
import { buildDeviceList2, type DeviceEntry2, parseDeviceList2 } from "./device-list.js";
import { NODE_BUNDLES_V2, NODE_DEVICES_V2 } from "./namespaces.js";
import type { OwnKeys2 } from "./own-keys-store.js";

/** What the publisher needs. */
export interface OwnDevicePublisher2Deps {
  pubsub: PubsubHandle;
  keys: OwnKeys2;
  logger: Logger;
  label: string | undefined;
  signedPreKeyRotation: number;
  now: () => number;
}

/** Keeps our OMEMO 2 device list entry and bundle published. */
export class OwnDevicePublisher2 {
  readonly #deps: OwnDevicePublisher2Deps;
  readonly #queue = new KeyedQueue();
  #devices: DeviceEntry2[] = [];

  constructor(deps: OwnDevicePublisher2Deps) {
    this.#deps = deps;
  }

  /** Our account's other OMEMO 2 devices as last seen. */
  get otherDevices(): number[] {
    return this.#devices.map((d) => d.id).filter((id) => id !== this.#deps.keys.deviceId);
  }

  /** Reads our device list, adds our device when missing, publishes our bundle. */
  publishAll(): Promise<void> {
    return this.#queue.run("pep", async () => {
      await this.#ensureListed(await this.#readList());
      await this.#publishBundle();
    });
  }

  /** Our list arrived in a notification: put our device back when another client removed it. */
  ownListChanged(devices: DeviceEntry2[]): Promise<void> {
    return this.#queue.run("pep", async () => {
      this.#devices = devices;
      await this.#ensureListed(devices);
    });
  }

  /** Replaces used prekeys and republishes the bundle. */
  replenish(): Promise<void> {
    return this.#queue.run("pep", async () => {
      if ((await this.#deps.keys.replenish()) > 0) await this.#publishBundle();
    });
  }

  /** Rotates the signed prekey once older than the configured age; true when it did. */
  rotateIfDue(): Promise<boolean> {
    return this.#queue.run("pep", async () => {
      const { keys, now, signedPreKeyRotation } = this.#deps;
      if (keys.signedPreKeyAge(now()) < signedPreKeyRotation) return false;
      await keys.rotate(now());
      this.#deps.logger.info("OMEMO 2 signed prekey rotated");
      await this.#publishBundle();
      return true;
    });
  }

  async #readList(): Promise<DeviceEntry2[]> {
    try {
      const [item] = await this.#deps.pubsub.items(NODE_DEVICES_V2, { max: 1 });
      this.#devices = item?.payload ? parseDeviceList2(item.payload) : [];
    } catch (error) {
      if ((error as { condition?: string })?.condition !== "item-not-found") throw error;
      this.#devices = [];
    }
    return this.#devices;
  }

  async #ensureListed(devices: DeviceEntry2[]): Promise<void> {
    const id = this.#deps.keys.deviceId;
    if (devices.some((d) => d.id === id)) return;
    const next = [...devices, { id, label: this.#deps.label }];
    await this.#deps.pubsub.publish(NODE_DEVICES_V2, buildDeviceList2(next), {
      id: "current",
      options: { access_model: "open" },
    });
    this.#devices = next;
    this.#deps.logger.info("our device added to the OMEMO 2 device list", { deviceId: id });
  }

  async #publishBundle(): Promise<void> {
    const { keys, pubsub } = this.#deps;
    await pubsub.publish(NODE_BUNDLES_V2, buildBundle2(keys.bundle()), {
      id: String(keys.deviceId),
      options: { access_model: "open", max_items: "max" },
    });
  }
}
