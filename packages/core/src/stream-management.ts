/**
 * XEP-0198 session state on the client side: the stream id to resume, and
 * the count of stanzas handled (`h`). State changes follow the nonzas in
 * stream order (§3 enable, §5 resume, §4 acks), so a stanza arriving right
 * after <enabled/> is counted before anyone else sees it.
 */
import { type Element, xml } from "./xml.js";

export const NS_SM = "urn:xmpp:sm:3";
const H_MOD = 2 ** 32;

export class StreamManagementState {
  #id: string | undefined;
  #resumable = false;
  #enabled = false;
  #inbound = 0;

  /** Counting is on for the current stream. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** What to ask for when reconnecting, when the last session can be resumed. */
  resumeRequest(): { id: string; h: number } | undefined {
    return this.#resumable && this.#id ? { id: this.#id, h: this.#inbound } : undefined;
  }

  /** A stanza was received. */
  countInbound(): void {
    if (this.#enabled) this.#inbound = (this.#inbound + 1) % H_MOD;
  }

  /** Our `<a/>` answer. */
  ack(): Element {
    return xml("a", { xmlns: NS_SM, h: this.#inbound });
  }

  /** Applies an `enabled`/`resumed`/`failed` nonza; returns the server's `h` for `a`, else undefined. */
  apply(element: Element): number | undefined {
    switch (element.name) {
      case "a": {
        const h = Number(element.attrs.h);
        return Number.isInteger(h) ? h : undefined;
      }
      case "enabled":
        this.#id = element.attrs.id;
        this.#resumable = element.attrs.resume === "true" || element.attrs.resume === "1";
        this.#enabled = true;
        this.#inbound = 0;
        return undefined;
      case "resumed":
        this.#enabled = true;
        return undefined;
      case "failed":
        this.reset();
        return undefined;
      default:
        return undefined;
    }
  }

  /** A new session without stream management. */
  reset(): void {
    this.#id = undefined;
    this.#resumable = false;
    this.#enabled = false;
    this.#inbound = 0;
  }
}
