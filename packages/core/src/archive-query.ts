/**
 * Archive queries for plugins (XEP-0313 §4, paged with XEP-0059 RSM): a plugin asks an archive
 * (the account's own, or a room's) for one page and gets the results back, never through the
 * live message pipeline.
 *
 * XEP-0313 §5.1 security: a result is taken only when its `queryid` is one of ours that is still
 * running AND its outer `from` is the archive we asked (absent `from` = our own account). Anything
 * else is left to the guard, which drops it as unsolicited, so a stranger cannot inject a forged
 * archived message. Results are taken synchronously as they arrive, so they are all in before the
 * IQ result (which comes after them on the stream) settles the query.
 */
import { randomUUID } from "node:crypto";
import { ClawXmppError, ConfigError } from "./errors.js";
import type { IqCaller } from "./iq.js";
import { cachedJid } from "./jid-cache.js";
import type { Logger } from "./logger.js";
import { type InboundMessage, parseDelay, parseMessage } from "./stanza/message.js";
import { type Element, xml } from "./xml.js";

const NS_MAM = "urn:xmpp:mam:2";
const NS_RSM = "http://jabber.org/protocol/rsm";
const NS_FORWARD = "urn:xmpp:forward:0";
/** Upper bound of `max`: one page is held in memory until its query ends. */
export const ARCHIVE_QUERY_MAX = 500;
/** Upper bound of queries running at once. */
const MAX_RUNNING = 64;

/** One page request. */
export interface ArchiveQueryOptions {
  /** Results wanted (1…500); the server may return fewer. */
  max: number;
  /** RSM: the page before this archive id; `""` for the newest page. */
  before?: string;
  /** RSM: the page after this archive id. */
  after?: string;
  /** Only messages exchanged with this JID (XEP-0313 §4.1.1 `with`). */
  with?: string;
  /** Only messages archived at or after this time. */
  start?: Date;
  /** Only messages archived at or before this time. */
  end?: Date;
  /** IQ timeout in ms (the client's default when left out). */
  timeout?: number;
}

/** One archived message, as the archive returned it. */
export interface ArchivedMessage {
  /** The archive's id of this message (XEP-0313 §5; equals the archive's XEP-0359 stanza-id). */
  archiveId: string;
  /** When the archive received it (the `<delay/>` on `<forwarded/>`). */
  delay: InboundMessage["delay"];
  /** The archived message, parsed by core (no plugin parse stages ran). */
  message: InboundMessage;
  /** The archived `<message/>` element, for plugins that parse further. */
  stanza: Element;
}

/** One page of results, oldest first. */
export interface ArchivePage {
  messages: ArchivedMessage[];
  /** XEP-0313 §4.3: true when this page reaches the end of the requested range. */
  complete: boolean;
  /** RSM cursor: archive id of the first result of the page. */
  first: string | undefined;
  /** RSM cursor: archive id of the last result of the page. */
  last: string | undefined;
}

/** The archive API on the plugin context (`ctx.archive`). */
export interface ArchiveQuerier {
  /** Queries one page of `archive` (a bare JID: a room, or the account for its own archive). */
  query(archive: string, options: ArchiveQueryOptions): Promise<ArchivePage>;
}

interface Running {
  archive: string;
  max: number;
  results: ArchivedMessage[];
}

interface Deps {
  iq: IqCaller;
  logger: Logger;
  /** The account's bare JID (the outer `from` of results from our own archive may be absent). */
  account: () => string;
  domain: () => string;
}

export class ArchiveQueries implements ArchiveQuerier {
  readonly #deps: Deps;
  readonly #running = new Map<string, Running>();

  constructor(deps: Deps) {
    this.#deps = deps;
  }

  async query(archive: string, options: ArchiveQueryOptions): Promise<ArchivePage> {
    const target = cachedJid(archive);
    if (!target || target.resource !== undefined)
      throw new ConfigError(`[core] archive query: not a bare JID: ${archive}`);
    const max = options.max;
    if (!Number.isInteger(max) || max < 1 || max > ARCHIVE_QUERY_MAX)
      throw new ConfigError(`[core] archive query: max must be 1…${ARCHIVE_QUERY_MAX}`);
    if (this.#running.size >= MAX_RUNNING)
      throw new ClawXmppError("queue-full", "[core] archive query: too many queries running");
    const queryid = randomUUID();
    const own = target.bare === cachedJid(this.#deps.account())?.bare;
    const running: Running = { archive: target.bare, max, results: [] };
    this.#running.set(queryid, running);
    try {
      const result = await this.#deps.iq.set(
        xml(
          "query",
          { xmlns: NS_MAM, queryid },
          filterForm(options),
          xml(
            "set",
            { xmlns: NS_RSM },
            xml("max", {}, String(max)),
            options.after !== undefined && xml("after", {}, options.after),
            options.before !== undefined &&
              (options.before ? xml("before", {}, options.before) : xml("before")),
          ),
        ),
        own ? undefined : target.bare,
        options.timeout !== undefined ? { timeout: options.timeout } : undefined,
      );
      const fin = result.getChild("fin", NS_MAM);
      const set = fin?.getChild("set", NS_RSM);
      return {
        messages: running.results,
        complete: fin?.attrs.complete === "true",
        first: set?.getChildText("first") || undefined,
        last: set?.getChildText("last") || undefined,
      };
    } finally {
      this.#running.delete(queryid);
    }
  }

  /**
   * Takes a `<message/>` carrying a result of one of our running queries from the archive we
   * asked; false (left to the guard) for anything else.
   */
  take(stanza: Element): boolean {
    const result = stanza.getChild("result", NS_MAM);
    const queryid = result?.attrs.queryid;
    if (!result || queryid === undefined) return false;
    const running = this.#running.get(queryid);
    if (!running) return false;
    const from = stanza.attrs.from === undefined ? this.#deps.account() : stanza.attrs.from;
    // The archive itself answers: a bare JID equal to the one asked (not an occupant, not a peer).
    if (cachedJid(from)?.full !== running.archive) return false;
    const forwarded = result.getChild("forwarded", NS_FORWARD);
    const inner = forwarded?.getChild("message");
    const archiveId = result.attrs.id;
    if (!forwarded || !inner || !archiveId) {
      this.#deps.logger.debug("ignored a malformed archive result", { from });
      return true;
    }
    if (running.results.length >= running.max) return true;
    const message = parseMessage(inner, this.#deps.domain());
    if (!message) return true;
    const delay = parseDelay(forwarded) ?? message.delay;
    message.via = "archive";
    message.delay ??= delay;
    running.results.push({ archiveId, delay, message, stanza: inner });
    return true;
  }
}

/** XEP-0313 §4.1.1 filter form, or nothing when no field is set. */
function filterForm(options: ArchiveQueryOptions): Element | false {
  const fields: [string, string][] = [];
  if (options.with !== undefined) fields.push(["with", options.with]);
  if (options.start !== undefined) fields.push(["start", iso(options.start)]);
  if (options.end !== undefined) fields.push(["end", iso(options.end)]);
  if (fields.length === 0) return false;
  return xml(
    "x",
    { xmlns: "jabber:x:data", type: "submit" },
    xml("field", { var: "FORM_TYPE", type: "hidden" }, xml("value", {}, NS_MAM)),
    ...fields.map(([name, value]) => xml("field", { var: name }, xml("value", {}, value))),
  );
}

function iso(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new ConfigError("[core] archive query: invalid date");
  return date.toISOString().replace(/\.\d+Z$/u, "Z");
}
