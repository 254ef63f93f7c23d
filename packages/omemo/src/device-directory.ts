/**
 * Contacts' device lists and bundles over PEP (XEP-0384 0.3 § 4.2–4.3),
 * cached per bare JID and refreshed from PEP notifications (`+notify`), so a
 * message to a known contact costs no round trip. Fetches of one JID share
 * one request; fetches of many JIDs (a room) run in parallel. The cache is
 * bounded: the least recently used contact is forgotten first.
 */
import type { Element } from "@clawxmpp/core";
import type { PubsubHandle } from "@clawxmpp/pubsub";
import { type Bundle, parseBundle } from "./bundle-element.js";
import { parseDeviceList } from "./device-list.js";
import { bundleNode, NODE_DEVICE_LIST } from "./namespaces.js";
import { OmemoError } from "./omemo-error.js";

/** A change seen in a contact's device list. */
export interface DeviceListChange {
  jid: string;
  devices: number[];
  /** Ids not in the previous list we knew (empty on the first sight of a list). */
  added: number[];
  removed: number[];
  /** True when this is the first list we learn for the JID in this process. */
  first: boolean;
}

/** Where one OMEMO version keeps device lists and bundles on PEP. */
export interface DirectoryProtocol<B> {
  /** The device list node (item `current`). */
  listNode: string;
  parseList(element: Element): number[];
  /** Where a device's bundle is: a node and, when bundles share one node, the item id. */
  bundleItem(deviceId: number): { node: string; id?: string };
  parseBundle(element: Element): B;
}

/** OMEMO 0.3 (`eu.siacs.conversations.axolotl`). */
export const LEGACY_PROTOCOL: DirectoryProtocol<Bundle> = {
  listNode: NODE_DEVICE_LIST,
  parseList: (element) => parseDeviceList(element).map((d) => d.id),
  bundleItem: (deviceId) => ({ node: bundleNode(deviceId) }),
  parseBundle,
};

/** Where the directory reads from, and what it tells. */
export interface DeviceDirectoryDeps<B = Bundle> {
  pubsub: PubsubHandle;
  /** The OMEMO version's nodes; default 0.3. */
  protocol?: DirectoryProtocol<B>;
  maxContacts: number;
  onChange: (change: DeviceListChange) => void;
}

const isMissing = (error: unknown) =>
  (error as { condition?: string })?.condition === "item-not-found";

/** Device lists and bundles of contacts (and of our own account). */
export class DeviceDirectory<B = Bundle> {
  readonly #deps: DeviceDirectoryDeps<B>;
  readonly #protocol: DirectoryProtocol<B>;
  readonly #lists = new Map<string, number[]>();
  readonly #pending = new Map<string, Promise<number[]>>();
  readonly #bundles = new Map<string, B>();

  constructor(deps: DeviceDirectoryDeps<B>) {
    this.#deps = deps;
    this.#protocol = deps.protocol ?? (LEGACY_PROTOCOL as unknown as DirectoryProtocol<B>);
  }

  /** The cached list of `jid`, if any (no request). */
  cached(jid: string): number[] | undefined {
    return this.#lists.get(jid);
  }

  /**
   * The device ids of `jid`: from the cache, or fetched (a missing node is an empty list). With
   * `refreshEmpty`, a cached empty list is fetched again: a node readable only by presence
   * subscribers answers `item-not-found` until we are subscribed, and no notification may follow.
   */
  devices(
    jid: string,
    options: { refresh?: boolean; refreshEmpty?: boolean } = {},
  ): Promise<number[]> {
    const known = this.#lists.get(jid);
    const stale = options.refresh || (options.refreshEmpty && known?.length === 0);
    if (known && !stale) {
      this.#touch(jid, known);
      return Promise.resolve(known);
    }
    let pending = this.#pending.get(jid);
    if (!pending) {
      pending = this.#fetch(jid).finally(() => this.#pending.delete(jid));
      this.#pending.set(jid, pending);
    }
    return pending;
  }

  /** Device lists of several JIDs, fetched in parallel; a JID whose fetch failed maps to its error. */
  async devicesOf(
    jids: readonly string[],
    options: { refreshEmpty?: boolean } = {},
  ): Promise<Map<string, number[] | Error>> {
    const entries = await Promise.all(
      jids.map(async (jid): Promise<[string, number[] | Error]> => {
        try {
          return [jid, await this.devices(jid, options)];
        } catch (error) {
          return [jid, error as Error];
        }
      }),
    );
    return new Map(entries);
  }

  /** A device's bundle: cached until a PreKey session was built from it (`forgetBundle`). */
  async bundle(jid: string, deviceId: number): Promise<B> {
    const key = `${jid}.${deviceId}`;
    const cached = this.#bundles.get(key);
    if (cached) return cached;
    let items: Awaited<ReturnType<PubsubHandle["items"]>>;
    try {
      const where = this.#protocol.bundleItem(deviceId);
      items = await this.#deps.pubsub.items(
        where.node,
        where.id === undefined ? { service: jid, max: 1 } : { service: jid, ids: [where.id] },
      );
    } catch (error) {
      throw new OmemoError(
        isMissing(error) ? "no-session" : "malformed",
        `cannot fetch the bundle of ${key}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const payload = items[0]?.payload;
    if (!payload) throw new OmemoError("no-session", `${key} has no published bundle`);
    const bundle = this.#protocol.parseBundle(payload);
    if (this.#bundles.size >= this.#deps.maxContacts) {
      const oldest = this.#bundles.keys().next().value;
      if (oldest !== undefined) this.#bundles.delete(oldest);
    }
    this.#bundles.set(key, bundle);
    return bundle;
  }

  /** Forgets a cached bundle (after its prekey was used, or when it failed). */
  forgetBundle(jid: string, deviceId: number): void {
    this.#bundles.delete(`${jid}.${deviceId}`);
  }

  /** A list that arrived in a PEP notification (or was published by us). */
  update(jid: string, devices: number[]): void {
    const previous = this.#lists.get(jid);
    this.#touch(jid, devices);
    const before = new Set(previous ?? []);
    const now = new Set(devices);
    this.#deps.onChange({
      jid,
      devices,
      added: previous ? devices.filter((id) => !before.has(id)) : [],
      removed: previous ? previous.filter((id) => !now.has(id)) : [],
      first: previous === undefined,
    });
  }

  async #fetch(jid: string): Promise<number[]> {
    let devices: number[];
    try {
      const [item] = await this.#deps.pubsub.items(this.#protocol.listNode, {
        service: jid,
        max: 1,
      });
      devices = item?.payload ? this.#protocol.parseList(item.payload) : [];
    } catch (error) {
      if (!isMissing(error)) throw error;
      devices = [];
    }
    this.update(jid, devices);
    return devices;
  }

  #touch(jid: string, devices: number[]): void {
    this.#lists.delete(jid);
    this.#lists.set(jid, devices);
    if (this.#lists.size > this.#deps.maxContacts) {
      const oldest = this.#lists.keys().next().value;
      if (oldest !== undefined) this.#lists.delete(oldest);
    }
  }
}
