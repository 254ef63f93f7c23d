/**
 * OMEMO (XEP-0384 0.3) in the channel: the `omemo` plugin of the optionally
 * installed `@clawxmpp/omemo` composed on an account's client, its state kept
 * under the account's state directory, our device id and fingerprint for
 * `channels status`, and the owner told in a chat message when a new device
 * appears on their account (a device they did not add may be someone reading
 * along). Decryption and encryption are the plugin's stages: a decrypted
 * message reaches the inbound handler like any other, from its real sender,
 * and a reply marked `omemo: true` leaves encrypted.
 */
import { chmod, mkdir } from "node:fs/promises";
import { join } from "node:path";
import {
  type Client,
  type InboundMessage,
  introspect,
  type Logger,
  type OutgoingMessage,
} from "@clawxmpp/core";
import { pubsub } from "@clawxmpp/pubsub";
import type { ResolvedXmppAccount } from "./accounts.js";
import {
  type Importer,
  loadOmemo,
  type OmemoHandleLike,
  type OmemoModule,
  type OmemoPluginOptions,
} from "./omemo-loader.js";

/** File name of the OMEMO state (identity, sessions, prekeys, trust) in the account's directory. */
export const OMEMO_STATE_FILE = "omemo.json";

/** Our device, as `channels status` shows it. */
export interface OmemoStatus {
  deviceId: number;
  /** In the clients' display form: 8 groups of 8 hex characters. */
  fingerprint: string;
}

/** OMEMO on one running account. */
export interface ChannelOmemo {
  readonly handle: OmemoHandleLike;
  /** Our device id and fingerprint once the device exists; undefined before. */
  status(): OmemoStatus | undefined;
}

/** What {@link attachOmemo} needs. */
export interface AttachOmemoDeps {
  client: Client;
  account: ResolvedXmppAccount;
  /** The account's state directory (`state-store.ts`). */
  stateDir: string;
  logger: Logger;
  /** Called once our device exists (status snapshot). */
  onIdentity?: (status: OmemoStatus) => void;
}

/**
 * Loads `@clawxmpp/omemo` when the account enables OMEMO (else resolves
 * undefined) and creates the private state directory the plugin's file store
 * writes into. Throws a ConfigError when the package is missing.
 */
export async function prepareOmemo(
  account: ResolvedXmppAccount,
  stateDir: string,
  importer?: Importer,
): Promise<OmemoModule | undefined> {
  if (!account.omemo.enabled) return undefined;
  const module = await loadOmemo(importer);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await chmod(stateDir, 0o700);
  return module;
}

/** The `omemo` plugin options for `account`. */
export function omemoPluginOptions(
  account: ResolvedXmppAccount,
  stateDir: string,
): OmemoPluginOptions {
  const { omemo } = account;
  return {
    store: join(stateDir, OMEMO_STATE_FILE),
    trust: omemo.trust,
    trustedFingerprints: omemo.trustedFingerprints,
    requireEncryption: omemo.requireEncryption,
    ...(omemo.deviceLabel === undefined ? {} : { deviceLabel: omemo.deviceLabel }),
  };
}

/**
 * Composes pubsub and the `omemo` plugin on `client` (before `client.start()`),
 * reports our device once it exists and watches the owners' device lists.
 */
export function attachOmemo(module: OmemoModule, deps: AttachOmemoDeps): ChannelOmemo {
  const { client, account, logger } = deps;
  usePubsub(client);
  const handle = client.use(module.omemo, omemoPluginOptions(account, deps.stateDir));
  let current: OmemoStatus | undefined;
  handle.ready.then(
    (identity) => {
      current = { deviceId: identity.deviceId, fingerprint: identity.display };
      logger.info("OMEMO device ready", { ...current });
      deps.onIdentity?.(current);
    },
    (error: unknown) => logger.error("OMEMO could not start", { error: errorText(error) }),
  );

  const owners = ownersOf(account, client.account.bare);
  handle.on("deviceAdded", (event) => {
    if (event.own || !owners.includes(event.jid)) return;
    logger.info("a new OMEMO device appeared on an owner's account", { ...event });
    client
      .send({ to: event.jid, type: "chat", body: newDeviceNotice(event.jid, event.deviceId) })
      .catch((error: unknown) =>
        logger.warn("could not tell the owner about their new device", {
          error: errorText(error),
        }),
      );
  });
  // The first list seen for an owner is the baseline (no event); a later change is a new device.
  // Fetched on every session, so a device added while we were offline is noticed too.
  client.on("online", () => {
    void handle
      .published()
      .then(() => Promise.all(owners.map((owner) => handle.devices(owner, { refresh: true }))))
      .then(() => logger.debug("owners' OMEMO device lists fetched", { owners: owners.length }))
      .catch((error: unknown) =>
        logger.debug("could not fetch the owners' OMEMO devices", { error: errorText(error) }),
      );
  });

  return { handle, status: () => current };
}

/** Composes pubsub unless another feature of the channel (the avatar) already did. */
function usePubsub(client: Client): void {
  if (!introspect(client).plugins.includes(pubsub.pluginName)) client.use(pubsub, {});
}

/** The owner notice for a device that appeared on `jid`'s account. */
export function newDeviceNotice(jid: string, deviceId: number): string {
  return (
    `A new OMEMO device (id ${deviceId}) appeared on your account ${jid}. ` +
    "If you did not add it, someone else may read your encrypted messages: remove it from your account."
  );
}

/** True when `message` arrived OMEMO-encrypted (the plugin decrypted it). */
export function isEncrypted(message: InboundMessage): boolean {
  return (message as { omemo?: { encrypted?: unknown } }).omemo?.encrypted === true;
}

/**
 * `message` marked for the `omemo` plugin's encrypt stage when `encrypted` is
 * true (the send fails rather than leaving in plaintext); unchanged otherwise,
 * so the plugin's own rules (`requireEncryption`) decide.
 */
export function withEncryption(message: OutgoingMessage, encrypted?: boolean): OutgoingMessage {
  return encrypted === true ? ({ ...message, omemo: true } as OutgoingMessage) : message;
}

/** Owner JIDs other than the bot's own account (`*` names nobody in particular). */
function ownersOf(account: ResolvedXmppAccount, own: string): string[] {
  return account.allowFrom.filter((jid) => jid !== "*" && jid !== own);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
