/**
 * Archive catch-up (XEP-0313 §4 with XEP-0059 paging): after a new session
 * (not a resumption), fetch what the account's archive received since the
 * last message we saw, and hand each message over once (the guard dedupes
 * by the archive id, which equals the live stanza-id, XEP-0359 §5).
 *
 * The cursor only moves forward past messages we really handed over: while a
 * catch-up runs, live messages do not move it, each page's results are
 * handed over (their lane drained) before the cursor passes them, and an
 * interrupted catch-up resumes from its last complete page. `fetched` counts
 * messages handed over, not results received.
 */
import { randomUUID } from "node:crypto";
import type { IqCaller } from "./iq.js";
import type { Logger } from "./logger.js";
import { type Element, xml } from "./xml.js";

export const NS_MAM = "urn:xmpp:mam:2";
const NS_RSM = "http://jabber.org/protocol/rsm";
/** Cursor value meaning "everything archived since this time" (no message seen yet). */
const START_PREFIX = "start:";
/** How long the first session waits to learn where the archive ends before going online anyway. */
const PROBE_TIMEOUT = 5_000;

/** Where the last seen archive id is kept between runs. */
export interface ArchiveCursorStore {
  load(): Promise<string | undefined> | string | undefined;
  save(id: string): Promise<void> | void;
}

/** An in-memory cursor (catch-up across reconnects of one process only). */
export function memoryCursor(initial?: string): ArchiveCursorStore {
  let id = initial;
  return {
    load: () => id,
    save: (next) => {
      id = next;
    },
  };
}

interface Deps {
  iq: IqCaller;
  store: ArchiveCursorStore;
  logger: Logger;
  maxMessages: number;
  pageSize: number;
  now: () => number;
  /** Resolves once every archive result received so far has been processed. */
  drained: () => Promise<void>;
}

export class ArchiveCatchUp {
  readonly #deps: Deps;
  readonly #activeQueries = new Set<string>();
  readonly #probes = new Set<string>();
  #cursor: string | undefined;
  #run = 0;
  #catchingUp = false;
  #liveDuringCatchUp: string | undefined;
  #results = 0;
  /** Results received in this catch-up (handed over or not): bounds its length. */
  #received = 0;
  #saving: Promise<void> = Promise.resolve();

  constructor(deps: Deps) {
    this.#deps = deps;
  }

  /** Loads the stored cursor (before the first connection). */
  async load(): Promise<void> {
    this.#cursor ??= (await this.#deps.store.load()) ?? undefined;
  }

  /** True once a position is known (stored, or located on the first session). */
  hasCursor(): boolean {
    return this.#cursor !== undefined;
  }

  /** True when `queryid` belongs to a query of ours that is still running. */
  isOurQuery(queryid: string | undefined): boolean {
    const ours = queryid !== undefined && this.#activeQueries.has(queryid);
    if (ours) this.#received++;
    return ours;
  }

  /** An archived message was handed over to the application. */
  delivered(): void {
    this.#results++;
  }

  /** A live message with this archive id was handed over. */
  seen(id: string): void {
    if (this.#catchingUp) this.#liveDuringCatchUp = id;
    else this.#set(id);
  }

  #set(id: string): void {
    this.#cursor = id;
    const store = this.#deps.store;
    this.#saving = this.#saving
      .then(() => store.save(id))
      .catch((error: unknown) => {
        this.#deps.logger.warn("could not save the archive cursor", { error: String(error) });
      });
  }

  /**
   * Called synchronously when a new session is up, before any of its stanzas is handled.
   * Fetches everything after the cursor; resolves with the number of archived messages received.
   */
  async catchUp(): Promise<number> {
    const run = ++this.#run;
    if (this.#cursor === undefined) {
      // Nothing seen yet: everything from now on counts. Ask where the archive ends and use that
      // id. Until the answer comes, a time stands in (for a session that dies first); servers keep
      // whole seconds, so it starts at the next second rather than catch older messages.
      const nextSecond = Math.floor(this.#deps.now() / 1000) * 1000 + 1000;
      const provisional = `${START_PREFIX}${new Date(nextSecond).toISOString().replace(/\.\d+Z$/u, "Z")}`;
      this.#set(provisional);
      const newest = await this.#newest();
      if (newest !== undefined && this.#cursor === provisional) this.#set(newest);
      return 0;
    }
    this.#catchingUp = true;
    this.#liveDuringCatchUp = undefined;
    this.#results = 0;
    this.#received = 0;
    const cursor = this.#cursor;
    const start = cursor.startsWith(START_PREFIX) ? cursor.slice(START_PREFIX.length) : undefined;
    let after = start === undefined ? cursor : undefined;
    try {
      for (;;) {
        const fin = await this.#page(start, after);
        if (run !== this.#run) return this.#results;
        const set = fin?.getChild("set", NS_RSM);
        const last = set?.getChildText("last") ?? undefined;
        if (last) {
          after = last;
          this.#set(last);
        }
        if (fin?.attrs.complete === "true" || !last || this.#received >= this.#deps.maxMessages)
          break;
      }
      if (this.#liveDuringCatchUp !== undefined) this.#set(this.#liveDuringCatchUp);
      return this.#results;
    } finally {
      if (run === this.#run) this.#catchingUp = false;
    }
  }

  /** The id of the newest archived message, without handing it over. */
  async #newest(): Promise<string | undefined> {
    const queryid = randomUUID();
    this.#probes.add(queryid);
    try {
      const result = await this.#deps.iq.set(
        xml(
          "query",
          { xmlns: NS_MAM, queryid },
          xml("set", { xmlns: NS_RSM }, xml("max", {}, "1"), xml("before")),
        ),
        undefined,
        // Short: the first session is announced only after this answer (or its absence).
        { timeout: PROBE_TIMEOUT, setup: true },
      );
      return (
        result.getChild("fin", NS_MAM)?.getChild("set", NS_RSM)?.getChildText("last") ?? undefined
      );
    } finally {
      this.#probes.delete(queryid);
    }
  }

  /** True for the result of a position probe: old news, not handed over. */
  isProbe(queryid: string | undefined): boolean {
    return queryid !== undefined && this.#probes.has(queryid);
  }

  async #page(start: string | undefined, after: string | undefined): Promise<Element | undefined> {
    const queryid = randomUUID();
    this.#activeQueries.add(queryid);
    try {
      const result = await this.#deps.iq.set(
        xml(
          "query",
          { xmlns: NS_MAM, queryid },
          start !== undefined && after === undefined && startForm(start),
          xml(
            "set",
            { xmlns: NS_RSM },
            xml("max", {}, String(this.#deps.pageSize)),
            after !== undefined && xml("after", {}, after),
          ),
        ),
        undefined,
        { setup: true },
      );
      // Results arrive before the IQ result, but are processed in their own lane: let them be
      // handed over before the query ends and the cursor passes them.
      await this.#deps.drained();
      return result.getChild("fin", NS_MAM);
    } finally {
      this.#activeQueries.delete(queryid);
    }
  }
}

/** XEP-0313 §4.1.1 filter form with a start time. */
function startForm(start: string): Element {
  return xml(
    "x",
    { xmlns: "jabber:x:data", type: "submit" },
    xml("field", { var: "FORM_TYPE", type: "hidden" }, xml("value", {}, NS_MAM)),
    xml("field", { var: "start" }, xml("value", {}, start)),
  );
}
