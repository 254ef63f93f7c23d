/**
 * The server side of a fuzz run, beyond the fake transport: answers the
 * client's room joins at once (XEP-0045 §7.2.3 self-presence and subject),
 * its IQ requests one round later (so cases can target ids that are really
 * pending), archive queries with an empty complete `<fin/>`, and keeps the
 * scene's lists of pending ids and message ids current. It empties the
 * server's `sent` log on every pump, so a long run holds no history.
 */
import { type Element, xml } from "@clawxmpp/core";
import type { FuzzScene } from "./scene.js";
import type { FuzzTarget } from "./target.js";

const NS_MUC = "http://jabber.org/protocol/muc";
const NS_MUC_USER = "http://jabber.org/protocol/muc#user";
const NS_MAM = "urn:xmpp:mam:2";
const MAX_IDS = 50;

interface OpenRequest {
  request: Element;
  round: number;
}

/** Plays the server for the fuzz target. */
export class FakePeer {
  readonly #target: FuzzTarget;
  readonly #scene: FuzzScene;
  readonly #open: OpenRequest[] = [];
  #round = 0;

  constructor(target: FuzzTarget, scene: FuzzScene) {
    this.#target = target;
    this.#scene = scene;
  }

  /** Handles what the client wrote since the last pump; returns the ids of IQ replies among it. */
  pump(): Set<string> {
    const { server } = this.#target;
    const replies = new Set<string>();
    const written = server.sent.splice(0);
    for (const el of written) {
      if (el.name === "iq" && (el.attrs.type === "get" || el.attrs.type === "set")) {
        this.#open.push({ request: el, round: this.#round });
        if (el.attrs.id) this.#scene.pendingIqIds.push(el.attrs.id);
        const queryid = el.getChild("query", NS_MAM)?.attrs.queryid;
        if (queryid) this.#scene.archiveQueryIds.push(queryid);
      } else if (el.name === "iq" && el.attrs.id) {
        replies.add(el.attrs.id);
      } else if (el.name === "presence" && el.getChild("x", NS_MUC) && el.attrs.to) {
        this.#answerJoin(el.attrs.to);
      } else if (el.name === "message" && el.attrs.id) {
        this.#scene.messageIds.push(el.attrs.id);
        if (this.#scene.messageIds.length > MAX_IDS) this.#scene.messageIds.shift();
      }
    }
    this.#answerOldRequests();
    this.#round++;
    return replies;
  }

  #answerJoin(occupantJid: string): void {
    const room = occupantJid.split("/")[0] ?? occupantJid;
    const { server } = this.#target;
    if (!server.connected) return;
    server.receive(
      xml(
        "presence",
        { from: occupantJid, to: this.#scene.full },
        xml(
          "x",
          { xmlns: NS_MUC_USER },
          xml("item", { affiliation: "member", role: "participant", jid: this.#scene.full }),
          xml("status", { code: "110" }),
        ),
      ),
    );
    server.receive(
      xml(
        "message",
        { from: room, to: this.#scene.full, type: "groupchat" },
        xml("subject", {}, ""),
      ),
    );
  }

  #answerOldRequests(): void {
    const { server } = this.#target;
    if (!server.connected) return;
    while (this.#open.length > 0 && (this.#open[0] as OpenRequest).round < this.#round) {
      const { request } = this.#open.shift() as OpenRequest;
      const id = request.attrs.id;
      this.#forget(id, request.getChild("query", NS_MAM)?.attrs.queryid);
      const query = request.getChild("query", NS_MAM);
      server.receive(
        xml(
          "iq",
          {
            type: "result",
            id,
            from: request.attrs.to ?? this.#scene.account,
            to: this.#scene.full,
          },
          query &&
            xml(
              "fin",
              { xmlns: NS_MAM, complete: "true" },
              xml("set", { xmlns: "http://jabber.org/protocol/rsm" }),
            ),
        ),
      );
    }
  }

  #forget(id: string | undefined, queryid: string | undefined): void {
    const drop = (list: string[], value: string | undefined) => {
      const index = value === undefined ? -1 : list.indexOf(value);
      if (index !== -1) list.splice(index, 1);
    };
    drop(this.#scene.pendingIqIds, id);
    drop(this.#scene.archiveQueryIds, queryid);
  }
}
