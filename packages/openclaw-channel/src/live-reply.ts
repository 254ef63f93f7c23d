/**
 * One streamed reply in `live` mode. OpenClaw hands the growing text of the
 * answer (`onPartialReply`, a snapshot each time); this sends the first text
 * as soon as there is any and corrects that same message in place (XEP-0308
 * §3) at a throttled rate — at most every `throttleMs`, sooner on a paragraph
 * end — and the final text as the last correction, so clients that show
 * corrections see one message grow. For a recipient whose client does not
 * advertise corrections, finished paragraphs go out as separate messages
 * instead (blocks) and the final remainder as the last one.
 *
 * Sends are serialised: a correction never overtakes the message it corrects.
 */

/** Where a live reply's stanzas go. */
export interface LiveReplySink {
  /** Sends a new message; resolves its id (the one corrections reference). */
  send(text: string): Promise<string>;
  /** Replaces the text of message `id`. */
  correct(id: string, text: string): Promise<void>;
}

/** Timers, injectable for tests. */
export interface LiveReplyClock {
  now(): number;
  /** Runs `fn` after `ms`; returns a canceller. */
  schedule(fn: () => void, ms: number): () => void;
}

/** Options of {@link createLiveReply}. */
export interface LiveReplyOptions {
  sink: LiveReplySink;
  /** Whether the recipient shows corrections (settled before the first send). */
  corrections: Promise<boolean> | boolean;
  /** Least time between two corrections. */
  throttleMs: number;
  clock?: LiveReplyClock;
  /** Called with a send failure (the reply goes on). */
  onError?: (error: unknown) => void;
  /** Called after each stanza written (first text, correction, block). */
  onSent?: (kind: "first" | "correction" | "block", text: string) => void;
}

/** The controller of one reply. */
export interface LiveReply {
  /** The answer so far (the whole text, not a delta). */
  partial(text: string): void;
  /** Ends the current message; later text starts a new one (a new assistant message). */
  rotate(): void;
  /**
   * Delivers the final text: the last correction, or the remaining block.
   * Resolves false when nothing was streamed (the caller sends the text itself).
   */
  finish(text: string): Promise<boolean>;
  /** Stops timers without sending more. */
  close(): void;
}

const systemClock: LiveReplyClock = {
  now: () => Date.now(),
  schedule(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};

/** A paragraph end: a blank line. */
const PARAGRAPH = /\n\s*\n/gu;

/** Creates the controller of one live reply. */
export function createLiveReply(options: LiveReplyOptions): LiveReply {
  const clock = options.clock ?? systemClock;
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;
  /** Latest snapshot of the current message. */
  let latest = "";
  /** Live: id of the current message and the text it shows. */
  let messageId: Promise<string | undefined> | undefined;
  let shown = "";
  let lastSentAt = 0;
  let cancelTimer: (() => void) | undefined;
  /** Blocks: how much of the current snapshot was sent. */
  let blockSent = 0;
  /** Something was streamed for this turn. */
  let streamed = false;
  let corrections: boolean | undefined =
    typeof options.corrections === "boolean" ? options.corrections : undefined;
  const ready =
    typeof options.corrections === "boolean"
      ? Promise.resolve()
      : options.corrections.then(
          (value) => {
            corrections = value;
          },
          () => {
            corrections = false;
          },
        );

  const enqueue = (task: () => Promise<void>) => {
    chain = chain.then(task).catch((error: unknown) => options.onError?.(error));
    return chain;
  };

  /** Live: shows `text` now (first send or correction). */
  const show = (text: string) => {
    cancelTimer?.();
    cancelTimer = undefined;
    lastSentAt = clock.now();
    const current = messageId;
    if (current === undefined) {
      let resolveId!: (id: string | undefined) => void;
      messageId = new Promise((resolve) => {
        resolveId = resolve;
      });
      shown = text;
      streamed = true;
      return enqueue(async () => {
        try {
          const id = await options.sink.send(text);
          resolveId(id);
          options.onSent?.("first", text);
        } catch (error) {
          resolveId(undefined);
          throw error;
        }
      });
    }
    if (text === shown) return chain;
    shown = text;
    return enqueue(async () => {
      const id = await current;
      if (id === undefined) return;
      await options.sink.correct(id, text);
      options.onSent?.("correction", text);
    });
  };

  /** Blocks: sends every finished paragraph not sent yet. */
  const sendBlocks = (text: string, all: boolean) => {
    let end = blockSent;
    if (all) end = text.length;
    else {
      for (const match of text.slice(blockSent).matchAll(PARAGRAPH)) {
        end = blockSent + match.index + match[0].length;
      }
    }
    if (end <= blockSent) return chain;
    const block = text.slice(blockSent, end).trim();
    blockSent = end;
    if (block === "") return chain;
    streamed = true;
    return enqueue(async () => {
      await options.sink.send(block);
      options.onSent?.("block", block);
    });
  };

  const update = () => {
    if (closed || latest.trim() === "") return;
    if (corrections === undefined) {
      // The first text waits only for the disco answer (bounded by its timeout).
      void ready.then(update);
      return;
    }
    if (!corrections) {
      void sendBlocks(latest, false);
      return;
    }
    if (messageId === undefined) {
      void show(latest);
      return;
    }
    const since = clock.now() - lastSentAt;
    const paragraphEnded = /\n\s*\n\s*$/u.test(latest) || /[.!?:]\s*\n$/u.test(latest);
    if (since >= options.throttleMs || (paragraphEnded && since >= options.throttleMs / 2)) {
      void show(latest);
      return;
    }
    if (cancelTimer === undefined) {
      cancelTimer = clock.schedule(() => {
        cancelTimer = undefined;
        if (!closed) void show(latest);
      }, options.throttleMs - since);
    }
  };

  const reset = () => {
    cancelTimer?.();
    cancelTimer = undefined;
    messageId = undefined;
    shown = "";
    latest = "";
    blockSent = 0;
  };

  return {
    partial(text) {
      if (closed || typeof text !== "string") return;
      latest = text;
      update();
    },
    rotate() {
      if (closed) return;
      if (corrections === true && messageId !== undefined && latest !== shown) void show(latest);
      else if (corrections === false) void sendBlocks(latest, true);
      reset();
    },
    async finish(text) {
      cancelTimer?.();
      cancelTimer = undefined;
      await ready;
      const final = text.trim();
      if (closed) return streamed;
      closed = true;
      if (corrections === true && messageId !== undefined) {
        // The first send failed: the caller sends the final text as a new message.
        if ((await messageId) === undefined) {
          await chain;
          return false;
        }
        if (final !== "" && final !== shown) await show(final);
        await chain;
        return true;
      }
      if (corrections === false && streamed) {
        // What is left after the blocks sent: of the final text when it continues
        // them, else of the streamed text.
        const source = text.startsWith(latest.slice(0, blockSent)) ? text : latest;
        await sendBlocks(source, true);
        return true;
      }
      await chain;
      return streamed;
    },
    close() {
      closed = true;
      cancelTimer?.();
      cancelTimer = undefined;
    },
  };
}
