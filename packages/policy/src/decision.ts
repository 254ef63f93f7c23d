/**
 * The events a policy decides on and the decision it returns. Identities are
 * always real JIDs: a room occupant is judged by the real bare JID the room
 * reveals (XEP-0045 §7.2.3/§7.2.4), never by its nickname.
 */

/** A direct message (RFC 6121 §5.2.2 `chat`/`normal`) from `from`. */
export interface DmEvent {
  kind: "dm";
  /** Sender JID (full or bare); invalid input is denied. */
  from: string;
}

/** A groupchat message (XEP-0045 §7.4) in `room`. */
export interface GroupEvent {
  kind: "group";
  /** The room's JID. */
  room: string;
  /** The occupant's real JID, or `undefined` when the room hides it (semi-anonymous). */
  realJid: string | undefined;
  /** Whether the message mentions the bot. */
  mentioned: boolean;
  /**
   * The occupant JID (`room/nick`), used only as the rate-limit key when the
   * real JID is hidden; never for access decisions (anyone can take a nick).
   */
  occupant?: string;
}

/** A room invitation (XEP-0045 §7.8.2 mediated or XEP-0249 direct). */
export interface InviteEvent {
  kind: "invite";
  /** The inviter's real JID, when known. */
  inviter: string | undefined;
  /** The room the invitation is for. */
  room: string;
}

/** A presence subscription request (RFC 6121 §3.1). */
export interface SubscriptionEvent {
  kind: "subscription";
  /** The requester's JID. */
  from: string;
}

/** Whether a tool may run for a request coming from `room`. */
export interface ToolEvent {
  kind: "tool";
  /** The room the request came from. */
  room: string;
  /** The tool's name. */
  tool: string;
}

/** Anything {@link PolicyEngine.decide} judges. */
export type PolicyEvent = DmEvent | GroupEvent | InviteEvent | SubscriptionEvent | ToolEvent;

/** `allow`: go ahead. `pair`: the DM sender must pair first. `deny`: refuse. */
export type PolicyAction = "allow" | "pair" | "deny";

/** How the subject of a decision was recognised. */
export type SenderKind =
  | "owner"
  | "allowlisted"
  | "paired"
  | "stranger"
  | "hidden"
  | "invalid"
  | "none";

/** The outcome of a decision. */
export interface Decision {
  action: PolicyAction;
  /** One line for logs and status, e.g. `dmPolicy=allowlist: sender not in dmAllowlist`. */
  reason: string;
  /** How the sender was recognised. */
  sender: SenderKind;
  /** The normalised bare JID the decision is about, when valid. */
  jid: string | undefined;
  /**
   * Set on a `deny` caused by the rate limit: `first` for the first message
   * refused since the sender was last admitted (tell them once), `again` after.
   */
  throttled?: "first" | "again";
}
