/**
 * The account's OMEMO machinery once its keys exist: sessions, trust,
 * directory and publisher, plus the two operations the stages need —
 * encrypting a text for a set of bare JIDs (their trusted devices and our own
 * other devices, sessions built from bundles on demand, in parallel) and
 * healing a broken session (XEP-0384 0.3 § 4.6; B1 "How Conversations
 * heals"): a new session from the device's bundle and an empty key-transport
 * message, at most once per device per `healingInterval`, so two broken
 * peers can never ping-pong.
 */
import { type Element, type Logger, xml } from "@clawxmpp/core";
import { type DeviceAddress, encodeAddress } from "./device-address.js";
import type { DeviceDirectory } from "./device-directory.js";
import { omemoHints } from "./message-hints.js";
import { OmemoError } from "./omemo-error.js";
import type { OmemoSessions } from "./omemo-sessions.js";
import type { OmemoStore } from "./omemo-store.js";
import type { OwnDevicePublisher } from "./own-device.js";
import type { TrustPolicy } from "./trust-policy.js";
import { buildEncrypted2 } from "./v2/encrypted-element.js";
import type { OwnDevicePublisher2 } from "./v2/own-device2.js";
import { buildEnvelope } from "./v2/sce-envelope.js";
import type { Omemo2Sessions } from "./v2/sessions2.js";
import type { Bundle2 } from "./v2/x3dh.js";

/** What the runtime is built from. */
export interface OmemoRuntimeDeps {
  store: OmemoStore;
  sessions: OmemoSessions;
  policy: TrustPolicy;
  directory: DeviceDirectory;
  publisher: OwnDevicePublisher;
  logger: Logger;
  /** Our account's bare JID. */
  account: string;
  maxDevicesPerContact: number;
  healingInterval: number;
  now: () => number;
  /** Sends a stanza we built (key transports). */
  sendStanza: (stanza: Element) => Promise<void>;
  /** OMEMO 2 beside 0.3 (same device id and identity). */
  v2?: OmemoRuntimeV2;
}

/** The OMEMO 2 side of the runtime. */
export interface OmemoRuntimeV2 {
  sessions: Omemo2Sessions;
  directory: DeviceDirectory<Bundle2>;
  publisher: OwnDevicePublisher2;
}

/** What to encrypt, for whom. */
export interface EncryptRequest {
  /** Recipient bare JIDs (a room's members or occupants, or one contact). */
  jids: readonly string[];
  /** JIDs encrypted for when they have devices, but not required (a room's offline members). */
  optionalJids?: readonly string[];
  /** The text for 0.3 devices; undefined when there is none (0.3 devices are left out). */
  body: string | undefined;
  /** The elements OMEMO 2 devices get in the SCE envelope (the body among them). */
  content: Element[];
  /** SCE `<from>`: our JID. */
  from: string;
  /** SCE `<to>`: the contact's or room's bare JID. */
  to: string;
}

/** The `<encrypted>` elements a message carries: one per version that had recipients. */
export interface EncryptedParts {
  legacy: Element | undefined;
  v2: Element | undefined;
}

const MAX_HEALING_ENTRIES = 10_000;
/** How long an optional recipient without readable OMEMO devices is left out before asking again. */
const OPTIONAL_RETRY_MS = 10 * 60_000;

/** OMEMO operations of one account. */
export class OmemoRuntime {
  readonly deps: OmemoRuntimeDeps;
  readonly #healed = new Map<string, number>();
  /** Optional recipients (offline room members) without readable devices, and when that was seen. */
  readonly #optionalMisses = new Map<string, number>();

  constructor(deps: OmemoRuntimeDeps) {
    this.deps = deps;
  }

  get deviceId(): number {
    return this.deps.sessions.own.deviceId;
  }

  /**
   * Encrypts for every trusted device of `request.jids` and our own other devices, each in the
   * version it announced: devices in a JID's OMEMO 2 list get the SCE envelope of
   * `request.content`, the others (0.3 only) the body. Rejects with `no-session` when no device
   * of a recipient JID could get a key.
   */
  async encryptMessage(request: EncryptRequest): Promise<EncryptedParts> {
    const { directory, logger, account } = this.deps;
    const v2 = this.deps.v2;
    const recipients = [...new Set(request.jids)].filter((jid) => jid !== account);
    const now = this.deps.now();
    const optional = new Set(
      (request.optionalJids ?? []).filter(
        (jid) =>
          jid !== account &&
          !recipients.includes(jid) &&
          now - (this.#optionalMisses.get(jid) ?? Number.NEGATIVE_INFINITY) >= OPTIONAL_RETRY_MS,
      ),
    );
    const everyone = [...recipients, ...optional, account];
    const [lists, lists2] = await Promise.all([
      directory.devicesOf(everyone, { refreshEmpty: true }),
      v2 ? v2.directory.devicesOf(everyone, { refreshEmpty: true }) : new Map<string, Error>(),
    ]);
    // A member whose lists cannot be read (no OMEMO, not shared) is not asked again for a while.
    for (const jid of optional) {
      const read = [lists.get(jid), lists2.get(jid)];
      if (read.some((list) => Array.isArray(list) && list.length > 0)) continue;
      if (this.#optionalMisses.size >= MAX_HEALING_ENTRIES) this.#optionalMisses.clear();
      this.#optionalMisses.set(jid, now);
    }
    const legacy: DeviceAddress[] = [];
    const modern: DeviceAddress[] = [];
    for (const jid of everyone) {
      const own = jid === account;
      const old = lists.get(jid);
      const ids2 = lists2.get(jid);
      if (old instanceof Error && (ids2 === undefined || ids2 instanceof Error)) {
        if (own) {
          logger.warn("cannot read our own device list", { error: old.message });
          continue;
        }
        if (optional.has(jid)) continue;
        throw new OmemoError(
          "no-session",
          `cannot read the device list of ${jid}: ${old.message}`,
          {
            cause: old,
          },
        );
      }
      const max = this.deps.maxDevicesPerContact;
      const newIds = Array.isArray(ids2) ? ids2.slice(0, max) : [];
      const oldIds = Array.isArray(old) ? old.filter((id) => !newIds.includes(id)) : [];
      for (const deviceId of newIds) {
        if (!(own && deviceId === this.deviceId)) modern.push({ jid, deviceId });
      }
      if (request.body === undefined) continue;
      for (const deviceId of oldIds.slice(0, Math.max(0, max - newIds.length))) {
        if (!(own && deviceId === this.deviceId)) legacy.push({ jid, deviceId });
      }
    }
    await Promise.all([
      ...legacy.map((address) => this.#ensureSession(address)),
      ...modern.map((address) => this.#ensureSession2(address)),
    ]);
    const reached = new Set<string>();
    const parts: EncryptedParts = { legacy: undefined, v2: undefined };
    const leftOut = (skipped: { address: DeviceAddress; error: Error }[]) => {
      for (const { address, error } of skipped) {
        logger.info("device left out", { device: encodeAddress(address), reason: error.message });
      }
    };
    if (legacy.length > 0) {
      const result = await this.deps.sessions.encrypt(legacy, request.body);
      leftOut(result.skipped);
      for (const address of result.encryptedFor) reached.add(address.jid);
      if (result.encryptedFor.length > 0) parts.legacy = result.element;
    }
    if (v2 && modern.length > 0) {
      const envelope = buildEnvelope({
        content: request.content,
        from: request.from,
        to: request.to,
      });
      const result = await v2.sessions.encrypt(modern, envelope.toString());
      leftOut(result.skipped);
      for (const address of result.encryptedFor) reached.add(address.jid);
      if (result.encryptedFor.length > 0) {
        parts.v2 = buildEncrypted2({
          sid: this.deviceId,
          keys: result.keys,
          payload: result.payload,
        });
      }
    }
    const missed = recipients.filter((jid) => !reached.has(jid));
    if (missed.length > 0) {
      throw new OmemoError(
        "no-session",
        `no trusted OMEMO device of ${missed.join(", ")} could be encrypted for`,
      );
    }
    return parts;
  }

  /** Builds an OMEMO 2 session from the device's bundle when we have none. */
  async #ensureSession2(address: DeviceAddress): Promise<void> {
    const v2 = this.deps.v2;
    if (!v2 || (await v2.sessions.hasSession(address))) return;
    try {
      await v2.sessions.buildSession(
        address,
        await v2.directory.bundle(address.jid, address.deviceId),
      );
    } catch (error) {
      this.deps.logger.info("no OMEMO 2 session built", {
        device: encodeAddress(address),
        reason: (error as Error).message,
      });
    } finally {
      v2.directory.forgetBundle(address.jid, address.deviceId);
    }
  }

  /** Builds a session from the device's bundle when we have none; failures are left to `encrypt`. */
  async #ensureSession(address: DeviceAddress): Promise<void> {
    const { sessions, directory, logger } = this.deps;
    if (await sessions.hasSession(address)) return;
    try {
      const bundle = await directory.bundle(address.jid, address.deviceId);
      await sessions.buildSession(address, bundle);
    } catch (error) {
      const condition = (error as OmemoError).condition;
      // A bundle that is there but unusable (bad signature, malformed) is worth a warning.
      const level = condition === "bad-signature" || condition === "malformed" ? "warn" : "info";
      logger[level]("no session built", {
        device: encodeAddress(address),
        reason: (error as Error).message,
      });
    } finally {
      // A prekey of it is used now; another session must pick from a fresh copy.
      directory.forgetBundle(address.jid, address.deviceId);
    }
  }

  /**
   * Rebuilds the session with a device whose messages we cannot decrypt and sends it an empty
   * key-transport message, unless this device was healed less than `healingInterval` ago.
   */
  async heal(address: DeviceAddress, to: string, type: "chat" | "groupchat"): Promise<boolean> {
    const { sessions, directory, logger, now, healingInterval } = this.deps;
    const key = encodeAddress(address);
    const last = this.#healed.get(key);
    if (last !== undefined && now() - last < healingInterval) {
      logger.debug("not healing again so soon", { device: key });
      return false;
    }
    if (this.#healed.size >= MAX_HEALING_ENTRIES) this.#healed.clear();
    this.#healed.set(key, now());
    try {
      directory.forgetBundle(address.jid, address.deviceId);
      await sessions.buildSession(address, await directory.bundle(address.jid, address.deviceId));
      directory.forgetBundle(address.jid, address.deviceId);
      const { element, encryptedFor } = await sessions.encrypt([address], undefined);
      if (encryptedFor.length === 0) throw new OmemoError("no-session", "no key could be sent");
      await this.deps.sendStanza(xml("message", { to, type }, element, ...omemoHints(false)));
      logger.info("session rebuilt and key transport sent", { device: key });
      return true;
    } catch (error) {
      logger.warn("could not heal the session", { device: key, reason: (error as Error).message });
      return false;
    }
  }

  /** {@link heal} for an OMEMO 2 device: a new session and an empty OMEMO 2 message. */
  async heal2(address: DeviceAddress, to: string, type: "chat" | "groupchat"): Promise<boolean> {
    const v2 = this.deps.v2;
    const { logger, now, healingInterval } = this.deps;
    if (!v2) return false;
    const key = `2:${encodeAddress(address)}`;
    const last = this.#healed.get(key);
    if (last !== undefined && now() - last < healingInterval) return false;
    if (this.#healed.size >= MAX_HEALING_ENTRIES) this.#healed.clear();
    this.#healed.set(key, now());
    try {
      v2.directory.forgetBundle(address.jid, address.deviceId);
      await v2.sessions.buildSession(
        address,
        await v2.directory.bundle(address.jid, address.deviceId),
      );
      v2.directory.forgetBundle(address.jid, address.deviceId);
      const result = await v2.sessions.encrypt([address], undefined);
      if (result.encryptedFor.length === 0)
        throw new OmemoError("no-session", "no key could be sent");
      const element = buildEncrypted2({ sid: this.deviceId, keys: result.keys });
      await this.deps.sendStanza(xml("message", { to, type }, element, ...omemoHints(false)));
      logger.info("OMEMO 2 session rebuilt and empty message sent", { device: key });
      return true;
    } catch (error) {
      logger.warn("could not heal the OMEMO 2 session", {
        device: key,
        reason: (error as Error).message,
      });
      return false;
    }
  }
}
