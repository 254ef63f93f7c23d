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
import type { EncryptResult, OmemoSessions } from "./omemo-sessions.js";
import type { OmemoStore } from "./omemo-store.js";
import type { OwnDevicePublisher } from "./own-device.js";
import type { TrustPolicy } from "./trust-policy.js";

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
}

const MAX_HEALING_ENTRIES = 10_000;

/** OMEMO operations of one account. */
export class OmemoRuntime {
  readonly deps: OmemoRuntimeDeps;
  readonly #healed = new Map<string, number>();

  constructor(deps: OmemoRuntimeDeps) {
    this.deps = deps;
  }

  get deviceId(): number {
    return this.deps.sessions.own.deviceId;
  }

  /**
   * Encrypts `plaintext` (undefined: a key transport) for every trusted device of `jids` and our own
   * other devices. Rejects with `no-session` when no device of a recipient JID could get a key.
   */
  async encryptFor(jids: readonly string[], plaintext: string | undefined): Promise<EncryptResult> {
    const { directory, sessions, logger, account } = this.deps;
    const recipients = [...new Set(jids)].filter((jid) => jid !== account);
    const lists = await directory.devicesOf([...recipients, account]);
    const addresses: DeviceAddress[] = [];
    for (const [jid, devices] of lists) {
      if (devices instanceof Error) {
        if (jid === account) {
          logger.warn("cannot read our own device list", { error: devices.message });
          continue;
        }
        throw new OmemoError(
          "no-session",
          `cannot read the device list of ${jid}: ${devices.message}`,
          {
            cause: devices,
          },
        );
      }
      for (const deviceId of devices.slice(0, this.deps.maxDevicesPerContact)) {
        if (jid === account && deviceId === this.deviceId) continue;
        addresses.push({ jid, deviceId });
      }
    }
    await Promise.all(addresses.map((address) => this.#ensureSession(address)));
    const result = await sessions.encrypt(addresses, plaintext);
    for (const { address, error } of result.skipped) {
      logger.debug("device left out", { device: encodeAddress(address), reason: error.message });
    }
    const reached = new Set(result.encryptedFor.map((a) => a.jid));
    const missed = recipients.filter((jid) => !reached.has(jid));
    if (missed.length > 0) {
      throw new OmemoError(
        "no-session",
        `no trusted OMEMO device of ${missed.join(", ")} could be encrypted for`,
      );
    }
    return result;
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
      const level = condition === "bad-signature" || condition === "malformed" ? "warn" : "debug";
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
}
