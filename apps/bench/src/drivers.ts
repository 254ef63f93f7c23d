/**
 * The three clients under test behind one small interface, so every
 * measurement runs the same code against each: the core, xmpp.js as
 * shipped, and xmpp.js with TCP_NODELAY switched on by the application.
 */
import type { Socket } from "node:net";
import { createClient, randomStanzaId } from "@clawxmpp/core";
import { xml, client as xmppClient } from "@xmpp/client";

/** Which client is measured. */
export type Variant = "core" | "xmppjs" | "xmppjs-nodelay";

/** All variants, in report order. */
export const VARIANTS: readonly Variant[] = ["core", "xmppjs", "xmppjs-nodelay"];

/** Human labels for reports. */
export const VARIANT_LABELS: Record<Variant, string> = {
  core: "@clawxmpp/core",
  xmppjs: "xmpp.js as shipped",
  "xmppjs-nodelay": "xmpp.js + TCP_NODELAY",
};

/** Where the throwaway server listens (loopback). */
export interface ServerInfo {
  host: string;
  port: number;
  domain: string;
  /**
   * PEM of the test CA, given to the core as `tls.ca`. Left out, the core trusts it through
   * NODE_EXTRA_CA_CERTS like xmpp.js does (a diagnostic: `tls.ca` costs memory per connection).
   */
  caCert?: string;
  /** The server's process id, to read its CPU time from /proc (Linux); undefined elsewhere. */
  serverPid?: number;
}

/**
 * What the xmpp.js baselines put on the wire. `same`: the stanza the core sends (a 16-character
 * random id and an XEP-0359 origin-id), so the ratios compare clients doing the same job.
 * `minimal`: `<message type id><body/></message>` with a short counter id, as a bare xmpp.js
 * application might write it; the server then parses, routes and re-encrypts fewer bytes per
 * message than for the core, and the ratios include that server work.
 */
export type BaselineStanza = "same" | "minimal";

/** An account on the server. */
export interface Account {
  jid: string;
  password: string;
}

/** What the measurements need from a client. */
export interface BenchClient {
  /** Bound full JID, once started. */
  readonly jid: string;
  /** Resolves when online. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sends a chat message; the promise settles when the client considers it sent. */
  send(to: string, body: string): Promise<void>;
  /** Called for every received non-error message with a body. */
  onMessage(fn: (from: string, body: string) => void): void;
}

/** Unexpected events (errors, disconnects) are reported here instead of being swallowed. */
export type AnomalySink = (what: string) => void;

let counter = 0;
const resource = (tag: string) => `bench-${tag}-${process.pid}-${++counter}`;

/** Creates (does not start) a client of `variant`. */
export function makeClient(
  variant: Variant,
  server: ServerInfo,
  account: Account,
  anomaly: AnomalySink,
  baselineStanza: BaselineStanza = "same",
): BenchClient {
  return variant === "core"
    ? coreClient(server, account, anomaly)
    : xmppJsClient(server, account, variant === "xmppjs-nodelay", anomaly, baselineStanza);
}

function coreClient(server: ServerInfo, account: Account, anomaly: AnomalySink): BenchClient {
  const client = createClient({
    jid: account.jid,
    password: account.password,
    server: server.host,
    port: server.port,
    resource: resource("core"),
    ...(server.caCert === undefined ? {} : { tls: { ca: server.caCert } }),
  });
  let stopping = false;
  client.on("error", (error) => anomaly(`core ${account.jid}: error event: ${error.message}`));
  client.on("offline", ({ error }) => {
    if (!stopping) anomaly(`core ${account.jid}: went offline: ${error?.message ?? "clean close"}`);
  });
  client.on("bounce", ({ error }) => anomaly(`core ${account.jid}: bounce: ${error.message}`));
  return {
    get jid() {
      return client.jid?.full ?? "";
    },
    async start() {
      await client.start();
    },
    async stop() {
      stopping = true;
      await client.stop();
    },
    async send(to, body) {
      await client.send({ to, body });
    },
    onMessage(fn) {
      client.on("message", (message) => {
        if (message.body !== undefined) fn(message.from.full, message.body);
      });
    },
  };
}

function xmppJsClient(
  server: ServerInfo,
  account: Account,
  noDelay: boolean,
  anomaly: AnomalySink,
  stanza: BaselineStanza,
): BenchClient {
  const [local] = account.jid.split("@");
  const client = xmppClient({
    service: `xmpp://${server.host}:${server.port}`,
    domain: server.domain,
    username: local ?? "",
    password: account.password,
    resource: resource("xmppjs"),
  });
  let stopping = false;
  let jid = "";
  let ids = 0;
  client.on("error", (error: Error) => {
    if (!stopping) anomaly(`xmpp.js ${account.jid}: error event: ${error.message}`);
  });
  client.on("offline", () => {
    if (!stopping) anomaly(`xmpp.js ${account.jid}: went offline`);
  });
  client.on("online", (address: { toString(): string }) => {
    jid = address.toString();
  });
  if (noDelay) {
    // The one-line fix an application can apply to xmpp.js 0.14 (the raw TCP socket, before STARTTLS).
    client.on("connect", () => {
      const s = client.socket;
      ((s?.socket ?? s) as Socket | null)?.setNoDelay(true);
    });
  }
  return {
    get jid() {
      return jid;
    },
    async start() {
      await client.start();
    },
    async stop() {
      stopping = true;
      await client.stop();
    },
    send(to, body) {
      if (stanza === "minimal") {
        const id = `x${++ids}`;
        return client.send(xml("message", { to, type: "chat", id }, xml("body", {}, body)));
      }
      // Byte for byte what the core's `send({ to, body })` writes (see `buildMessage`).
      const id = randomStanzaId();
      return client.send(
        xml(
          "message",
          { to, type: "chat", id },
          xml("body", {}, body),
          xml("origin-id", { xmlns: "urn:xmpp:sid:0", id }),
        ),
      );
    },
    onMessage(fn) {
      client.on("stanza", (stanza: import("@xmpp/client").XmppElement) => {
        if (!stanza.is("message") || stanza.attrs.type === "error") return;
        const body = stanza.getChildText("body");
        if (body !== null) fn(stanza.attrs.from ?? "", body);
      });
    },
  };
}

/**
 * Creates and starts a client, trying up to `attempts` times: xmpp.js's 2 s
 * stream timeout occasionally fires during a login here. Every failed attempt
 * is reported as an anomaly.
 */
export async function startClient(
  make: () => BenchClient,
  anomaly: AnomalySink,
  label: string,
  attempts = 3,
): Promise<BenchClient> {
  for (let attempt = 1; ; attempt++) {
    const client = make();
    try {
      await client.start();
      return client;
    } catch (error) {
      anomaly(
        `${label}: start attempt ${attempt} failed: ${(error as Error).message || String(error)}`,
      );
      await client.stop().catch(() => {});
      if (attempt >= attempts) throw error;
    }
  }
}
