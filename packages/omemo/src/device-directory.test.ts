import type { PubsubHandle } from "@clawxmpp/pubsub";
import { describe, expect, it } from "vitest";
import { DeviceDirectory, type DeviceListChange } from "./device-directory.js";
import { buildDeviceList } from "./device-list.js";
import { NODE_DEVICE_LIST } from "./namespaces.js";

/** A pubsub handle answering device-list requests from `lists` (absent JID: item-not-found). */
function fakePubsub(lists: Map<string, number[]>) {
  const requests: string[] = [];
  const handle = {
    async items(node: string, options: { service: string }) {
      requests.push(`${options.service} ${node}`);
      if (options.service.startsWith("forbidden"))
        throw Object.assign(new Error("forbidden"), { condition: "forbidden" });
      const list = lists.get(options.service);
      if (!list) throw Object.assign(new Error("item-not-found"), { condition: "item-not-found" });
      return [{ id: "current", payload: buildDeviceList(list), publisher: undefined }];
    },
  } as unknown as PubsubHandle;
  return { handle, requests };
}

function directory(lists: Map<string, number[]>, maxContacts = 10) {
  const { handle, requests } = fakePubsub(lists);
  const changes: DeviceListChange[] = [];
  const dir = new DeviceDirectory({
    pubsub: handle,
    maxContacts,
    onChange: (c) => changes.push(c),
  });
  return { dir, requests, changes };
}

describe("DeviceDirectory", () => {
  it("fetches once for concurrent callers and serves the cache afterwards", async () => {
    const { dir, requests } = directory(new Map([["a@x", [1, 2]]]));
    const [one, two] = await Promise.all([dir.devices("a@x"), dir.devices("a@x")]);
    expect(one).toEqual([1, 2]);
    expect(two).toEqual([1, 2]);
    expect(await dir.devices("a@x")).toEqual([1, 2]);
    expect(requests).toEqual([`a@x ${NODE_DEVICE_LIST}`]);
  });

  it("treats a missing node as no devices, and fetches an empty list again when asked", async () => {
    const lists = new Map<string, number[]>();
    const { dir, requests } = directory(lists);
    expect(await dir.devices("b@x")).toEqual([]);
    lists.set("b@x", [7]);
    expect(await dir.devices("b@x")).toEqual([]);
    expect(await dir.devices("b@x", { refreshEmpty: true })).toEqual([7]);
    expect(requests).toHaveLength(2);
  });

  it("reports added and removed devices after the first list, from notifications too", async () => {
    const { dir, changes } = directory(new Map([["a@x", [1]]]));
    await dir.devices("a@x");
    dir.update("a@x", [1, 2]);
    dir.update("a@x", [2]);
    expect(changes.map(({ added, removed, first }) => ({ added, removed, first }))).toEqual([
      { added: [], removed: [], first: true },
      { added: [2], removed: [], first: false },
      { added: [], removed: [1], first: false },
    ]);
  });

  it("fetches several JIDs in parallel; one failure does not spoil the others", async () => {
    const { dir } = directory(new Map([["a@x", [1]]]));
    const result = await dir.devicesOf(["a@x", "forbidden@x", "c@x"]);
    expect(result.get("a@x")).toEqual([1]);
    expect(result.get("forbidden@x")).toBeInstanceOf(Error);
    expect(result.get("c@x")).toEqual([]);
    // A failed fetch is not cached: the next call asks again.
    expect(dir.cached("forbidden@x")).toBeUndefined();
  });

  it("forgets the least recently used contact beyond its bound", async () => {
    const lists = new Map([
      ["a@x", [1]],
      ["b@x", [2]],
      ["c@x", [3]],
    ]);
    const { dir } = directory(lists, 2);
    await dir.devices("a@x");
    await dir.devices("b@x");
    await dir.devices("a@x");
    await dir.devices("c@x");
    expect(dir.cached("a@x")).toEqual([1]);
    expect(dir.cached("b@x")).toBeUndefined();
    expect(dir.cached("c@x")).toEqual([3]);
  });
});
