/**
 * A loopback TCP proxy between a client and a test server, for tests that need
 * the network to misbehave: latency added each way (round trips become visible
 * on loopback) and bytes rewritten or stripped in flight.
 *
 * What rewriting can reach: only plaintext. On a STARTTLS connection that is
 * the stream header, the first `<stream:features/>` (before TLS; with
 * `tls: "required"` it holds nothing but `<starttls/>`), `<starttls/>` and
 * `<proceed/>`; after `<proceed/>` every byte is a TLS record and changing one
 * makes the TLS handshake or the record MAC fail (the client sees a TLS error,
 * not a downgraded offer). So a test that strips SASL `-PLUS` mechanisms must
 * run the server with `tls: "optional"` or `"off"` (features and SASL in the
 * clear) — which is exactly the downgrade a client must refuse to accept over
 * an unencrypted stream — or sit behind TLS with its own certificate
 * (a TLS-terminating proxy; not provided here). Direct TLS (XEP-0368) ports are
 * opaque to `transform` from the first byte. Latency works on every kind of
 * connection.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

/** Which way a chunk travels. */
export type ProxyDirection = "toServer" | "toClient";

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

  const pipe = (from: Socket, to: Socket, direction: ProxyDirection) => {
    from.on("data", (chunk: Buffer) => {
      const out = options.transform ? options.transform(chunk, direction) : chunk;
      if (out === null) return;
      const data = typeof out === "string" ? Buffer.from(out, "utf8") : out;
      const forward = () => {
        if (to.destroyed) return;
        bytes[direction] += data.length;
        to.write(data);
      };
      // Equal delays fire in the order they were set, so the stream's byte order is kept.
      if (latency > 0) schedule(forward, latency);
      else forward();
    });
    from.on("end", () => {
      const end = () => to.end();
      if (latency > 0) schedule(end, latency);
      else end();
    });
  };

  const server: Server = createServer((client) => {
    accepted++;
    const upstream = createConnection({
      host: options.targetHost ?? "127.0.0.1",
      port: options.targetPort,
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on("close", () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
      // A reset on one side closes the other; never an unhandled error.
      socket.on("error", () => {});
    }
    pipe(client, upstream, "toServer");
    pipe(upstream, client, "toClient");
  });
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
