/**
 * Live facts about a running account for OpenClaw: the directory (roster
 * contacts, RFC 6121 §2, and joined XEP-0045 rooms), the status probe
 * (connection state and the core client's counters) and the heartbeat adapter
 * (XEP-0085 typing for heartbeat runs). Every answer reflects the live session,
 * never the configuration alone (prior-art L6).
 */
import {
  DEFAULT_ACCOUNT_ID,
  normaliseBare,
  type ResolvedXmppAccount,
  tryResolveAccount,
} from "./accounts.js";
import type { ServerFacts } from "./doctor.js";
import { liveSession } from "./live-clients.js";
import type { OmemoStatus } from "./omemo-channel.js";
import type { OpenClawConfig } from "./openclaw-types.js";
import { isRoomTarget } from "./outbound.js";

/** `ChannelDirectoryEntry`. */
export interface DirectoryEntry {
  kind: "user" | "group";
  id: string;
  name?: string;
}

/** Parameters of the directory calls (the part we use). */
export interface AccountParams {
  cfg?: OpenClawConfig;
  accountId?: string | null;
  query?: string | null;
  limit?: number | null;
}

function matches(entry: DirectoryEntry, query: string | null | undefined): boolean {
  if (!query) return true;
  const needle = query.toLowerCase();
  return (
    entry.id.toLowerCase().includes(needle) || (entry.name ?? "").toLowerCase().includes(needle)
  );
}

function limited(entries: DirectoryEntry[], params: AccountParams): DirectoryEntry[] {
  const found = entries.filter((entry) => matches(entry, params.query));
  return typeof params.limit === "number" && params.limit > 0
    ? found.slice(0, params.limit)
    : found;
}

function configuredAccount(params: AccountParams): ResolvedXmppAccount | undefined {
  return tryResolveAccount(params.cfg, params.accountId);
}

/**
 * Roster contacts of the running account. Outside the gateway process (the
 * `openclaw directory` CLI has no connection) the configured JIDs are listed.
 */
export async function listXmppPeers(params: AccountParams): Promise<DirectoryEntry[]> {
  const session = liveSession(params.accountId ?? DEFAULT_ACCOUNT_ID);
  if (session?.roster !== undefined && session.client.status === "online") {
    const jids = await session.roster();
    return limited(
      jids.map((id) => ({ kind: "user", id })),
      params,
    );
  }
  const account = configuredAccount(params);
  const configured = new Set(
    [
      ...(account?.allowFrom ?? []),
      ...(account?.dmAllowlist ?? []),
      ...(account?.groupAllowFrom ?? []),
    ].filter((jid) => jid !== "*"),
  );
  return limited(
    [...configured].map((id) => ({ kind: "user", id })),
    params,
  );
}

/** Rooms the running account has joined; outside the gateway, the configured `groups`. */
export async function listXmppGroups(params: AccountParams): Promise<DirectoryEntry[]> {
  const session = liveSession(params.accountId ?? DEFAULT_ACCOUNT_ID);
  if (session?.rooms === undefined) {
    return limited(
      (configuredAccount(params)?.groups ?? []).map((id) => ({ kind: "group", id })),
      params,
    );
  }
  const rooms = session.rooms.rooms();
  return limited(
    rooms
      .filter((room) => room.state === "joined")
      .map((room) => ({
        kind: "group" as const,
        id: room.jid,
        ...(room.subject ? { name: room.subject } : {}),
      })),
    params,
  );
}

/** The `directory` adapter. */
export const xmppDirectory = {
  self: async (params: AccountParams): Promise<DirectoryEntry | null> => {
    const session = liveSession(params.accountId ?? DEFAULT_ACCOUNT_ID);
    return session === undefined ? null : { kind: "user", id: session.client.account.bare };
  },
  listPeers: listXmppPeers,
  listPeersLive: listXmppPeers,
  listGroups: listXmppGroups,
  listGroupsLive: listXmppGroups,
};

/** What the status probe reports. */
export interface XmppProbe {
  ok: boolean;
  status: string;
  jid: string | undefined;
  connects: number;
  resumes: number;
  reconnectAttempts: number;
  lastError: string | null;
  rooms: string[];
  /** Our OMEMO device id and fingerprint, when OMEMO is on and the device exists. */
  omemo?: OmemoStatus | undefined;
  /** The doctor's findings (server, TLS, SASL, upload, MAM, PEP, OMEMO), once checked. */
  doctor?: ServerFacts;
}

/** `status.probeAccount`: the live connection's state, not the config's. */
export async function xmppStatusProbe(params: {
  account: { accountId: string };
}): Promise<XmppProbe> {
  const session = liveSession(params.account.accountId);
  if (session === undefined) {
    return {
      ok: false,
      status: "not running",
      jid: undefined,
      connects: 0,
      resumes: 0,
      reconnectAttempts: 0,
      lastError: null,
      rooms: [],
    };
  }
  const { client } = session;
  const stats = client.stats;
  const facts = session.serverFacts?.();
  return {
    ok: client.status === "online",
    status: client.status,
    jid: client.jid?.full,
    connects: stats.connects,
    resumes: stats.resumes,
    reconnectAttempts: stats.reconnectAttempts,
    lastError: stats.lastError?.message ?? null,
    rooms: (session.rooms?.rooms() ?? [])
      .filter((room) => room.state === "joined")
      .map((room) => room.jid),
    ...omemoOf(session.omemo?.status()),
    ...(facts === undefined ? {} : { doctor: facts }),
  };
}

function omemoOf(omemo: OmemoStatus | undefined): { omemo?: OmemoStatus } {
  return omemo === undefined ? {} : { omemo };
}

/** Parameters of the heartbeat typing calls. */
export interface TypingParams {
  cfg: OpenClawConfig;
  to: string;
  accountId?: string | null;
}

async function typing(params: TypingParams, state: "composing" | "active"): Promise<void> {
  const accountId = params.accountId ?? DEFAULT_ACCOUNT_ID;
  const session = liveSession(accountId);
  const to = normaliseBare(params.to);
  if (session?.markers === undefined || to === undefined) return;
  const type = isRoomTarget(params.cfg, to, accountId) ? "groupchat" : "chat";
  await session.markers[state](to, { type });
}

/**
 * The `heartbeat` adapter: ready only with a live session; typing via XEP-0085.
 * What heartbeats may post is `heartbeatVisibility`, which the gateway applies.
 */
export const xmppHeartbeat = {
  checkReady: async (params: { accountId?: string | null }) => {
    const session = liveSession(params.accountId ?? DEFAULT_ACCOUNT_ID);
    const online = session?.client.status === "online";
    return { ok: online, reason: online ? "online" : "xmpp account is not connected" };
  },
  sendTyping: (params: TypingParams) => typing(params, "composing"),
  clearTyping: (params: TypingParams) => typing(params, "active"),
};
