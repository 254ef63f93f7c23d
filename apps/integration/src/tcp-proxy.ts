/**
 * A loopback TCP proxy between a client and a test server, for tests that need
 * the network to misbehave: latency added each way (round trips become visible
 * on loopback) and bytes rewritten or stripped in flight.
 *
 * What rewriting can reach: only what the proxy sees in plaintext. Passing TLS
 * through (the default), that is the stream header, the first
 * `<stream:features/>` (with `tls: "required"`, nothing but `<starttls/>`),
 * `<starttls/>` and `<proceed/>`; after `<proceed/>` every byte is a TLS record
 * and changing one makes the handshake or the record MAC fail — a TLS error,
 * not a downgraded offer. Direct TLS (XEP-0368) is opaque from the first byte.
 * SASL mechanisms, `-PLUS` ones above all, are offered only inside TLS, so
 * stripping them needs `terminateTls`: the proxy ends the client's TLS with a
 * certificate the client trusts (the test server's own) and opens its own TLS
 * to the server, and `transform` sees the plaintext between — the attack that
 * channel binding and XEP-0474 exist to detect. Latency works in every mode.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { connect as connectTls, TLSSocket } from "node:tls";

/** Which way a chunk travels. */
export type ProxyDirection = "toServer" | "toClient";

/**
 * Terminating TLS in the proxy (a man in the middle holding a certificate the client trusts):
 * the client's TLS ends at the proxy, the proxy opens its own TLS to the server, and
 * `transform` sees the plaintext inside — SASL mechanisms included. Channel binding
 * (SCRAM `-PLUS`) exists to notice exactly this: the two TLS sessions differ.
 */
export interface ProxyTlsTermination {
  /** PEM certificate the proxy presents to the client (e.g. the test server's own). */
  cert: string;
  /** PEM key of `cert`. */
  key: string;
  /** PEM CA the proxy trusts for the server's certificate. */
  ca: string;
  /** Name checked in the server's certificate. @default "localhost" */
  servername?: string;
  /** The target is a direct TLS (XEP-0368) port: TLS from the first byte. @default false (STARTTLS) */
  directTls?: boolean;
}

/** Options of {@link tcpProxy}. */
export interface TcpProxyOptions {
  /** Host the proxy connects to. @default "127.0.0.1" */
  targetHost?: string;
  targetPort: number;
  /** Delay added to every chunk in each direction, in ms (order is kept). @default 0 */
  latencyMs?: number;
  /**
   * Rewrites a chunk as it passes: return the bytes to forward (a string is sent as UTF-8),
   * or `null` to drop the chunk. Chunks are TCP reads, not XML elements: an element can be
   * split across chunks, so match what the peer sends in one write (the stream features do
   * arrive whole from Prosody and ejabberd on loopback). See the file header for what is
   * plaintext.
   */
  transform?: (chunk: Buffer, direction: ProxyDirection) => Buffer | string | null;
  /** Terminate TLS in the proxy (after STARTTLS's `<proceed/>`, or at once for direct TLS). */
  terminateTls?: ProxyTlsTermination;
  /** Timer used for latency; tests inject their own. @default setTimeout */
  schedule?: (run: () => void, ms: number) => void;
}

/** A running proxy. */
export interface TcpProxy {
  /** Always 127.0.0.1. */
  host: string;
  /** The port clients connect to instead of the server's. */
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Bytes forwarded (after `transform`), per direction. */
  readonly bytes: Readonly<Record<ProxyDirection, number>>;
  /** Destroys every open connection (both sides), as a network failure would. */
  dropConnections(): void;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/** Starts a proxy on a free 127.0.0.1 port that forwards to `targetHost:targetPort`. */
export async function tcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const latency = options.latencyMs ?? 0;
  const schedule = options.schedule ?? ((run, ms) => void setTimeout(run, ms));
  const sockets = new Set<Socket>();
  const bytes: Record<ProxyDirection, number> = { toServer: 0, toClient: 0 };
  let accepted = 0;

  const onConnection = (rawClient: Socket) => {
    accepted++;
    const rawUpstream = createConnection({
      host: options.targetHost ?? "127.0.0.1",
      port: options.targetPort,
    });
    // The sockets bytes currently travel on: the raw ones, or the TLS ones once terminated.
    const ends: Record<ProxyDirection, Socket> = { toServer: rawUpstream, toClient: rawClient };
    const later = (run: () => void) => (latency > 0 ? schedule(run, latency) : run());
    const track = (socket: Socket) => {
      sockets.add(socket);
      socket.on("close", () => {
        sockets.delete(socket);
        // After the bytes still held for latency: a peer's last words arrive before its close.
        later(() => {
          rawClient.destroy();
          rawUpstream.destroy();
        });
      });
      // A reset or a failed handshake on one side closes the other; never an unhandled error.
      socket.on("error", () => {
        rawClient.destroy();
        rawUpstream.destroy();
      });
    };
    for (const socket of [rawClient, rawUpstream]) {
      socket.setNoDelay(true);
      track(socket);
    }

    /** Relays `from` to the current end of `direction`; returns a detacher. */
    const relay = (from: Socket, direction: ProxyDirection, onChunk?: (text: string) => void) => {
      const onData = (chunk: Buffer) => {
        const out = options.transform ? options.transform(chunk, direction) : chunk;
        if (out === null) return;
        const data = typeof out === "string" ? Buffer.from(out, "utf8") : out;
        // Equal delays fire in the order they were set, so the stream's byte order is kept.
        later(() => {
          const to = ends[direction];
          if (to.destroyed) return;
          bytes[direction] += data.length;
          to.write(data);
          onChunk?.(data.toString("latin1"));
        });
      };
      const onEnd = () => later(() => ends[direction].end());
      from.on("data", onData);
      from.on("end", onEnd);
      return () => {
        from.off("data", onData);
        from.off("end", onEnd);
      };
    };

    const plaintext: (() => void)[] = [];
    const terminate = options.terminateTls;
    if (terminate?.directTls) {
      startTls(terminate);
      return;
    }
    plaintext.push(
      relay(rawClient, "toServer"),
      relay(rawUpstream, "toClient", (text) => {
        // RFC 6120 §5.4.2.3: after <proceed/> both sides start TLS on the same TCP connection.
        if (terminate && text.includes("<proceed")) startTls(terminate);
      }),
    );

    function startTls(tlsOptions: ProxyTlsTermination) {
      for (const detach of plaintext) detach();
      const upstream = connectTls({
        socket: rawUpstream,
        ca: tlsOptions.ca,
        servername: tlsOptions.servername ?? "localhost",
      });
      const client = new TLSSocket(rawClient, {
        isServer: true,
        cert: tlsOptions.cert,
        key: tlsOptions.key,
      });
      ends.toServer = upstream;
      ends.toClient = client;
      track(upstream);
      track(client);
      relay(client, "toServer");
      relay(upstream, "toClient");
    }
  };

  const server: Server = createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy: no port");

  const dropConnections = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    host: "127.0.0.1",
    port: address.port,
    get accepted() {
      return accepted;
    },
    bytes,
    dropConnections,
    close() {
      dropConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
