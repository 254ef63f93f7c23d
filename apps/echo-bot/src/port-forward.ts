/**
 * A loopback TCP forwarder: the demo's fixed client port (`--port`) in front of the throwaway
 * Prosody's free port. Bytes are passed through untouched, so STARTTLS and the certificate check
 * happen end to end between the client and Prosody.
 */
import { connect, createServer, type Server } from "node:net";

/** Listens on 127.0.0.1:`port` and forwards every connection to 127.0.0.1:`target`. */
export async function forwardPort(
  port: number,
  target: number,
): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<{ destroy(): void }>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: "127.0.0.1", port: target });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    client.once("close", () => sockets.delete(client));
    upstream.once("close", () => sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === "EADDRINUSE"
            ? `--port ${port}: the port is in use (another server or demo?)`
            : `--port ${port}: ${error.message}`,
        ),
      ),
    );
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
