/**
 * Who is who in a fuzz run, and what the client under test has asked the
 * server for so far: seed stanzas answer real pending IQ ids and archive
 * queries, and refer to message ids the plugins have seen, so mutations
 * reach the deep paths (IQ result matching, archive results, corrections of
 * known messages) rather than bouncing off the first check.
 */

/** The fixed parties of a fuzz run and the ids seen so far. */
export interface FuzzScene {
  /** The bot's bare JID. */
  readonly account: string;
  /** The bot's full JID. */
  readonly full: string;
  /** The server domain. */
  readonly domain: string;
  /** An owner (allowed by the policy). */
  readonly owner: string;
  /** A stranger. */
  readonly stranger: string;
  /** The room the bot is joined to. */
  readonly room: string;
  /** The bot's nickname in the room. */
  readonly nick: string;
  /** Ids of IQ requests the client sent that are still unanswered. */
  readonly pendingIqIds: string[];
  /** `queryid`s of the client's archive queries still running. */
  readonly archiveQueryIds: string[];
  /** Ids of recent messages (to correct, react to, retract, mark). */
  readonly messageIds: string[];
}

/** The scene every fuzz run uses. */
export function defaultScene(): FuzzScene {
  return {
    account: "bot@fuzz.test",
    full: "bot@fuzz.test/fuzz",
    domain: "fuzz.test",
    owner: "owner@fuzz.test",
    stranger: "stranger@elsewhere.test",
    room: "room@conference.fuzz.test",
    nick: "bot",
    pendingIqIds: [],
    archiveQueryIds: [],
    messageIds: ["m-1", "m-2"],
  };
}
