/**
 * The `omemo` plugin: legacy OMEMO (XEP-0384 0.3, `eu.siacs.conversations.axolotl`)
 * over `@clawxmpp/pubsub` — our device list entry and bundle on PEP
 * (`access_model=open`), contacts' device lists cached and refreshed from
 * `+notify` notifications, a `decrypt` inbound stage and an `encrypt`
 * outbound stage, trust (BTBV by default), signed prekey rotation on a
 * clock timer, healing of broken sessions. Rooms use the real JIDs `@clawxmpp/muc`
 * reveals; with `@clawxmpp/upload`, XEP-0454 `aesgcm://` media.
 *
 * Setup is synchronous (the contract), the keys are not: the store is opened
 * and our device created in the background; stages and methods wait for it
 * (`ready`).
 */
import {
  definePlugin,
  type Element,
  Emitter,
  type OutgoingMessage,
  type Plugin,
  parseOptions,
} from "@clawxmpp/core";
import { type MucHandle, muc } from "@clawxmpp/muc";
import { type PubsubHandle, pubsub } from "@clawxmpp/pubsub";
import { aesgcmCipher, type UploadHandle, upload } from "@clawxmpp/upload";
import { DeviceDirectory } from "./device-directory.js";
import { parseDeviceList } from "./device-list.js";
import { fingerprintHex, formatFingerprint } from "./fingerprint.js";
import { decryptStage } from "./inbound-decrypt.js";
import { JsonFileOmemoStore } from "./json-file-store.js";
import { ensureOwnDevice } from "./key-manager.js";
import { MemoryOmemoStore } from "./memory-store.js";
import { NODE_DEVICE_LIST } from "./namespaces.js";
import { OmemoError } from "./omemo-error.js";
import type { OmemoHandle } from "./omemo-handle.js";
import { type OmemoOptionsInput, omemoOptionsSchema } from "./omemo-options.js";
import { OmemoRuntime } from "./omemo-runtime.js";
import { OmemoSessions } from "./omemo-sessions.js";
import type { OmemoStore } from "./omemo-store.js";
import type { OmemoEvents, OmemoMessageInfo } from "./omemo-types.js";
import { encryptStage } from "./outbound-encrypt.js";
import { OwnDevicePublisher } from "./own-device.js";
import { RoomMembers } from "./room-members.js";
import { TrustPolicy } from "./trust-policy.js";
import { type DeviceEntry2, parseDeviceList2 } from "./v2/device-list.js";
import { OMEMO2_PROTOCOL } from "./v2/directory-protocol.js";
import { NODE_DEVICES_V2 } from "./v2/namespaces.js";
import { OwnDevicePublisher2 } from "./v2/own-device2.js";
import { OwnKeys2 } from "./v2/own-keys-store.js";
import { Omemo2Sessions } from "./v2/sessions2.js";
import type { Bundle2 } from "./v2/x3dh.js";

declare module "@clawxmpp/core" {
  interface MessageExtensions {
    /** Set by `@clawxmpp/omemo` when the message arrived OMEMO-encrypted (and was decrypted). */
    omemo?: OmemoMessageInfo;
  }
  interface OutgoingExtensions {
    /**
     * `@clawxmpp/omemo`: `true` encrypts (the send fails when it cannot), `false` never
     * encrypts; left out, the plugin's `autoEncrypt`/`requireEncryption` decide.
     */
    omemo?: boolean;
  }
}

const READD_INTERVAL = 60_000;

type Deps = {
  readonly pubsub: PubsubHandle;
  readonly muc: MucHandle | undefined;
  readonly upload: UploadHandle | undefined;
};

/** Legacy OMEMO end-to-end encryption. Use after `pubsub` (and `muc`/`upload` for rooms/media). */
export const omemo: Plugin<OmemoOptionsInput, OmemoHandle, Deps> = definePlugin({
  name: "omemo",
  requires: { pubsub },
  optional: { muc, upload },
  setup(ctx, input: OmemoOptionsInput): OmemoHandle {
    if (ctx.client.kind === "component") {
      throw new OmemoError(
        "invalid",
        "OMEMO needs an account's PEP and session; it cannot run on an XEP-0114 component",
      );
    }
    const opts = parseOptions(omemoOptionsSchema, input, "omemo options");
    const ps = ctx.deps.pubsub;
    const log = ctx.logger;
    const account = ctx.client.account.bare;
    const events = new Emitter<OmemoEvents>((error, event) =>
      log.error(`omemo listener for "${event}" threw`, { error }),
    );
    const decrypted = new WeakMap<Element, OmemoMessageInfo>();
    let stopped = false;

    const directory = new DeviceDirectory({
      pubsub: ps,
      maxContacts: opts.maxCachedContacts,
      onChange(change) {
        for (const deviceId of change.added) {
          const own = change.jid === account;
          if (own && runtimeNow?.deviceId === deviceId) continue;
          events.emit("deviceAdded", { jid: change.jid, deviceId, own });
        }
      },
    });
    let runtimeNow: OmemoRuntime | undefined;
    // OMEMO 2 lists and bundles, beside the 0.3 ones (same directory code, other nodes).
    const directory2 = new DeviceDirectory<Bundle2>({
      pubsub: ps,
      protocol: OMEMO2_PROTOCOL,
      maxContacts: opts.maxCachedContacts,
      onChange(change) {
        for (const deviceId of change.added) {
          const own = change.jid === account;
          if (own && runtimeNow?.deviceId === deviceId) continue;
          if (directory.cached(change.jid)?.includes(deviceId)) continue;
          events.emit("deviceAdded", { jid: change.jid, deviceId, own });
        }
      },
    });
    const knownDevices = (jid: string) => [
      ...new Set([...(directory.cached(jid) ?? []), ...(directory2.cached(jid) ?? [])]),
    ];

    const init = async (): Promise<OmemoRuntime> => {
      const store: OmemoStore =
        typeof opts.store === "string"
          ? await JsonFileOmemoStore.open(opts.store)
          : (opts.store ?? new MemoryOmemoStore());
      const own = await ensureOwnDevice(store, { preKeyCount: opts.preKeyCount });
      const policy = new TrustPolicy({
        store,
        mode: opts.trust,
        trustedFingerprints: new Set(opts.trustedFingerprints),
        knownDevices,
        onIdentity: (event) => events.emit("identity", event),
      });
      const sessions = await OmemoSessions.open(store, { isTrusted: policy.isTrusted });
      const publisher = new OwnDevicePublisher({
        pubsub: ps,
        store,
        own,
        logger: log,
        label: opts.deviceLabel,
        preKeyCount: opts.preKeyCount,
        signedPreKeyRotation: opts.signedPreKeyRotation,
        now: () => ctx.clock.now(),
      });
      const keys2 = !opts.omemo2
        ? undefined
        : await OwnKeys2.open(store, own, {
            preKeyCount: opts.preKeyCount,
            now: () => ctx.clock.now(),
          });
      const v2 = keys2 && {
        sessions: new Omemo2Sessions(store, keys2, account, policy.isTrusted),
        directory: directory2,
        publisher: new OwnDevicePublisher2({
          pubsub: ps,
          keys: keys2,
          logger: log,
          label: opts.deviceLabel,
          signedPreKeyRotation: opts.signedPreKeyRotation,
          now: () => ctx.clock.now(),
        }),
      };
      return new OmemoRuntime({
        ...(v2 && { v2 }),
        store,
        sessions,
        policy,
        directory,
        publisher,
        logger: log,
        account,
        maxDevicesPerContact: opts.maxDevicesPerContact,
        healingInterval: opts.healingInterval,
        now: () => ctx.clock.now(),
        sendStanza: (stanza) => ctx.client.sendStanza(stanza),
      });
    };
    const starting = init().then((runtime) => {
      runtimeNow = runtime;
      return runtime;
    });
    starting.catch((error: unknown) => log.error("OMEMO could not start", { error }));
    const runtime = () => starting;

    let published: Promise<void> | undefined;
    const publish = () => {
      published = starting
        .then(async (rt) => {
          if (stopped) return;
          const v2 = rt.deps.v2;
          // OMEMO 2 publishes beside 0.3; one failing does not hold the other back.
          const second = v2?.publisher
            .publishAll()
            .then(() => v2.publisher.rotateIfDue())
            .then(() => directory2.update(account, [rt.deviceId, ...v2.publisher.otherDevices]))
            .catch((error: unknown) =>
              log.warn("could not publish our OMEMO 2 device", {
                error: (error as Error).message,
              }),
            );
          await rt.deps.publisher.publishAll();
          await rt.deps.publisher.rotateIfDue();
          directory.update(account, [rt.deviceId, ...rt.deps.publisher.otherDevices]);
          await second;
          if (!stopped) events.emit("published", { deviceId: rt.deviceId });
        })
        .catch((error: unknown) => {
          log.warn("could not publish our OMEMO device", { error: (error as Error).message });
          throw error;
        });
      published.catch(() => {});
    };
    ctx.client.on("online", ({ resumed }) => {
      if (!resumed) publish();
    });
    if (ctx.client.status === "online") queueMicrotask(() => !stopped && publish());

    ctx.clock.setInterval(() => {
      if (ctx.client.status !== "online" || !runtimeNow) return;
      for (const publisher of [runtimeNow.deps.publisher, runtimeNow.deps.v2?.publisher]) {
        publisher
          ?.rotateIfDue()
          .catch((error: unknown) =>
            log.warn("signed prekey rotation failed", { error: (error as Error).message }),
          );
      }
    }, opts.rotationCheckInterval);

    const members = new RoomMembers(ctx.iq, () => ctx.clock.now());
    let lastReAdd = Number.NEGATIVE_INFINITY;
    // Device lists: `+notify` so contacts' (and our own) lists arrive as PEP notifications.
    ctx.onStop(ps.notify(NODE_DEVICE_LIST));
    ctx.onStop(
      ps.onNode(NODE_DEVICE_LIST, (event) => {
        if (!event.pep) return;
        let devices: number[] = [];
        if (event.type === "item") {
          try {
            devices = event.payload ? parseDeviceList(event.payload).map((d) => d.id) : [];
          } catch (error) {
            log.warn("malformed device list ignored", {
              from: event.service,
              reason: (error as Error).message,
            });
            return;
          }
        }
        directory.update(event.service, devices);
        if (event.service === account && runtimeNow && !devices.includes(runtimeNow.deviceId)) {
          // Two clients that each drop the other would fight forever: at most once a minute.
          const now = ctx.clock.now();
          if (now - lastReAdd < READD_INTERVAL) {
            log.warn("our device was removed from our device list again; not re-adding it yet");
            return;
          }
          lastReAdd = now;
          log.info("our device was removed from our device list; adding it back");
          runtimeNow.deps.publisher
            .ownListChanged(devices.map((id) => ({ id })))
            .catch((error: unknown) =>
              log.warn("could not re-add our device", { error: (error as Error).message }),
            );
        }
      }),
    );

    let lastReAdd2 = Number.NEGATIVE_INFINITY;
    if (opts.omemo2) ctx.onStop(ps.notify(NODE_DEVICES_V2));
    ctx.onStop(
      ps.onNode(NODE_DEVICES_V2, (event) => {
        if (!opts.omemo2) return;
        if (!event.pep) return;
        let entries: DeviceEntry2[] = [];
        if (event.type === "item") {
          try {
            entries = event.payload ? parseDeviceList2(event.payload) : [];
          } catch (error) {
            log.warn("malformed OMEMO 2 device list ignored", {
              from: event.service,
              reason: (error as Error).message,
            });
            return;
          }
        }
        const devices = entries.map((d) => d.id);
        directory2.update(event.service, devices);
        const v2 = runtimeNow?.deps.v2;
        if (
          event.service === account &&
          v2 &&
          runtimeNow &&
          !devices.includes(runtimeNow.deviceId)
        ) {
          const now = ctx.clock.now();
          if (now - lastReAdd2 < READD_INTERVAL) return;
          lastReAdd2 = now;
          log.info("our device was removed from our OMEMO 2 device list; adding it back");
          v2.publisher
            .ownListChanged(entries)
            .catch((error: unknown) =>
              log.warn("could not re-add our OMEMO 2 device", { error: (error as Error).message }),
            );
        }
      }),
    );

    const hasOmemo = async (jid: string) => {
      const lists = await Promise.allSettled([
        directory.devices(jid),
        opts.omemo2 ? directory2.devices(jid) : [],
      ]);
      return lists.some((list) => list.status === "fulfilled" && list.value.length > 0);
    };
    let deferring = false;
    const replenish = (version: 1 | 2 = 1) => {
      if (!runtimeNow || stopped) return;
      const publisher = version === 2 ? runtimeNow.deps.v2?.publisher : runtimeNow.deps.publisher;
      publisher
        ?.replenish()
        .catch((error: unknown) =>
          log.warn("could not replace consumed prekeys", { error: (error as Error).message }),
        );
    };

    ctx.inbound.use(
      "decrypt",
      decryptStage({
        runtime,
        muc: ctx.deps.muc,
        logger: log,
        requireEncryption: opts.requireEncryption,
        hasOmemo,
        preKeyConsumed: replenish,
        account,
        senderDevice(jid, deviceId, version) {
          const dir: DeviceDirectory<unknown> = version === 2 ? directory2 : directory;
          if (dir.cached(jid)?.includes(deviceId)) return;
          dir.devices(jid, { refresh: true }).catch(() => {});
        },
        archiveStarted() {
          if (deferring || !runtimeNow) return;
          deferring = true;
          runtimeNow.deps.sessions.deferPreKeyRemoval();
          runtimeNow.deps.v2?.sessions.deferPreKeyRemoval();
        },
        undecryptable: (event) => events.emit("undecryptable", event),
        decrypted,
      }),
    );
    ctx.inbound.use("parse", (c) => {
      const info = c.message && decrypted.get(c.stanza);
      if (c.message && info) c.message.omemo = info;
    });
    ctx.client.on("caughtUp", () => {
      if (!deferring || !runtimeNow) return;
      deferring = false;
      runtimeNow.deps.sessions
        .endPreKeyDeferral()
        .then((ids) => ids.length > 0 && replenish(1))
        .catch((error: unknown) =>
          log.warn("could not remove prekeys used during catch-up", {
            error: (error as Error).message,
          }),
        );
      runtimeNow.deps.v2?.sessions
        .endPreKeyDeferral()
        .then((ids) => ids.length > 0 && replenish(2))
        .catch((error: unknown) =>
          log.warn("could not remove prekeys used during catch-up", {
            error: (error as Error).message,
          }),
        );
    });
    ctx.outbound.use(
      "encrypt",
      encryptStage({
        runtime,
        muc: ctx.deps.muc,
        logger: log,
        autoEncrypt: opts.autoEncrypt,
        requireEncryption: opts.requireEncryption,
        fallbackBody: opts.fallbackBody,
        hasOmemo,
        account,
        roomMembers: (room) => members.of(room),
      }),
    );
    if (ctx.deps.upload) {
      // Captions of encrypted files go through our encrypt stage like the link itself.
      const cipher = {
        ...aesgcmCipher(),
        protect: (message: OutgoingMessage) => ({ ...message, omemo: true }),
      };
      ctx.onStop(ctx.deps.upload.useCipher(cipher));
    }

    const identity = async () => {
      const rt = await starting;
      const key = rt.deps.sessions.own.identityKeyPair.publicKey;
      return {
        deviceId: rt.deviceId,
        fingerprint: fingerprintHex(key),
        display: formatFingerprint(key),
      };
    };
    const ready = identity();
    ready.catch(() => {});

    return {
      on: events.on.bind(events),
      once: events.once.bind(events),
      off: events.off.bind(events),
      ready,
      identity,
      published() {
        return (
          published ?? new Promise<void>((resolve) => events.once("published", () => resolve()))
        );
      },
      async sendEncrypted(to, body, extra = {}) {
        return ctx.client.send({ ...extra, to, body, omemo: true });
      },
      async devices(jid, options = {}) {
        const rt = await starting;
        const lists = await Promise.allSettled([
          directory.devices(jid, options),
          opts.omemo2 ? directory2.devices(jid, options) : [],
        ]);
        const ids = [
          ...new Set(lists.flatMap((list) => (list.status === "fulfilled" ? list.value : []))),
        ];
        const [legacy, second] = lists;
        if (legacy?.status === "rejected" && (!opts.omemo2 || second?.status === "rejected")) {
          throw legacy.reason;
        }
        return Promise.all(
          ids.map(async (deviceId) => {
            const address = { jid, deviceId };
            const key = await rt.deps.store.getIdentity(address);
            return {
              jid,
              deviceId,
              fingerprint: key && fingerprintHex(key),
              trust: await rt.deps.store.getTrust(address),
            };
          }),
        );
      },
      async setTrust(jid, deviceId, state) {
        const rt = await starting;
        await rt.deps.policy.set({ jid, deviceId }, state);
      },
      hasOmemo,
      async stop() {
        stopped = true;
        events.clear();
        const rt = await starting.catch(() => undefined);
        if (rt?.deps.store instanceof JsonFileOmemoStore) await rt.deps.store.flush();
      },
    };
  },
});
