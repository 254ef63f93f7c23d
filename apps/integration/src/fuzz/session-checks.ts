/**
 * Health checks of the fuzz target between rounds and at the end: the
 * client is pinged as its server would (XEP-0199) while fake time moves and
 * the fake peer answers, brought back online after a drop, and finally must
 * still deliver a normal message. Heap measurements empty the server's log
 * first.
 */
import { type Element, xml } from "@clawxmpp/core";
import { nextEvent, until } from "@clawxmpp/test";
import type { FakePeer } from "./fake-peer.js";
import { settledHeap } from "./heap.js";
import type { FuzzTarget } from "./target.js";

const PING_NS = "urn:xmpp:ping";

/** What the last checks saw. */
export interface FinalCheck {
  online: boolean;
  ping: boolean;
  message: boolean;
}

/** Starts the client and waits for its first round to be answered. */
export async function startOnline(target: FuzzTarget, peer: FakePeer): Promise<void> {
  const online = target.client.start();
  await online;
  await healthyRound(target, peer, 0);
}

/** Moves fake time in small steps, pumping the fake server, until `done()` or 5 s of real time. */
function drive(target: FuzzTarget, peer: FakePeer, done: (replies: Set<string>) => boolean) {
  return until(() => done(peer.pump()), { clock: target.clock, timeout: 5_000 }).then(
    () => true,
    () => false,
  );
}

/** Pings the client (as its server, XEP-0199) and waits for the answer. */
export async function healthyRound(
  target: FuzzTarget,
  peer: FakePeer,
  round: number,
): Promise<boolean> {
  const { server, client } = target;
  if (client.status !== "online" || !server.connected) return false;
  const id = `round-${round}`;
  server.receive(ping(id, target));
  return (await drive(target, peer, (replies) => replies.has(id))) && client.status === "online";
}

/** Moves the clock until the client is online again (reconnect backoff, resumption). */
export async function bringOnline(target: FuzzTarget, peer: FakePeer): Promise<void> {
  await drive(target, peer, () => target.client.status === "online");
  await healthyRound(target, peer, -1);
}

/** `heapUsed` after GC, once the server's log is empty. */
export async function measure(target: FuzzTarget, peer: FakePeer): Promise<number> {
  peer.pump();
  target.server.sent.length = 0;
  return settledHeap();
}

/** The last checks: still online, answering a ping and delivering a normal message. */
export async function finalChecks(
  target: FuzzTarget,
  peer: FakePeer,
  owner: string,
): Promise<FinalCheck> {
  const online = target.client.status === "online";
  const pingOk = online && (await healthyRound(target, peer, -2));
  let message = false;
  if (online) {
    const body = `still there? ${Date.now()}`;
    const delivered = nextEvent(target.client, "message", {
      timeout: 5_000,
      filter: (m) => m.body === body,
    });
    target.server.receive(
      xml(
        "message",
        {
          from: `${owner}/final`,
          to: target.client.jid?.full,
          type: "chat",
          id: `final-${Date.now()}`,
        },
        xml("body", {}, body),
      ),
    );
    let arrived = false;
    delivered.then(
      () => {
        arrived = true;
      },
      () => {},
    );
    message = await drive(target, peer, () => arrived);
  }
  return { online, ping: pingOk, message };
}

function ping(id: string, target: FuzzTarget): Element {
  return xml(
    "iq",
    { type: "get", id, from: target.client.account.domain, to: target.client.jid?.full },
    xml("ping", { xmlns: PING_NS }),
  );
}
