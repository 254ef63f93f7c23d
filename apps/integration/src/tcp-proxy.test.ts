import { createConnection, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type TcpProxy, type TcpProxyOptions, tcpProxy } from "./tcp-proxy.js";

const FEATURES =
  "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" +
  "<mechanism>SCRAM-SHA-256-PLUS</mechanism><mechanism>SCRAM-SHA-256</mechanism>" +
  "</mechanisms></stream:features>";

let upstream: Server | undefined;
let proxy: TcpProxy | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await proxy?.close();
  await new Promise((resolve) => (upstream ? upstream.close(resolve) : resolve(undefined)));
  upstream = proxy = undefined;
});

/** A server that answers every chunk with `reply(chunk)`; returns its port. */
async function serve(reply: (chunk: string) => string): Promise<number> {
  upstream = createServer((socket) => {
    sockets.push(socket);
    socket.on("data", (chunk) => socket.write(reply(chunk.toString())));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => upstream?.listen(0, "127.0.0.1", resolve));
  return (upstream.address() as { port: number }).port;
}

async function through(options: Omit<TcpProxyOptions, "targetPort">, port: number) {
  proxy = await tcpProxy({ ...options, targetPort: port });
  const client = createConnection({ host: proxy.host, port: proxy.port });
  sockets.push(client);
  await new Promise((resolve) => client.once("connect", resolve));
  return client;
}

function nextData(socket: Socket): Promise<string> {
  return new Promise((resolve) => socket.once("data", (chunk) => resolve(chunk.toString())));
}

describe("tcpProxy", () => {
  it("forwards bytes both ways unchanged by default and counts them", async () => {
    const port = await serve((s) => `echo:${s}`);
    const client = await through({}, port);
    const answer = nextData(client);
    client.write("hello");
    expect(await answer).toBe("echo:hello");
    expect(proxy?.accepted).toBe(1);
    expect(proxy?.bytes).toEqual({ toServer: 5, toClient: 10 });
  });

  it("strips SASL -PLUS mechanisms from the server's plaintext features", async () => {
    const port = await serve(() => FEATURES);
    const seen: string[] = [];
    const client = await through(
      {
        transform: (chunk, direction) => {
          seen.push(direction);
          return direction === "toClient"
            ? chunk.toString().replace(/<mechanism>[^<]*-PLUS<\/mechanism>/gu, "")
            : chunk;
        },
      },
      port,
    );
    const answer = nextData(client);
    client.write("<stream:stream>");
    const features = await answer;
    expect(features).not.toContain("-PLUS");
    expect(features).toContain("<mechanism>SCRAM-SHA-256</mechanism>");
    expect(seen).toEqual(["toServer", "toClient"]);
  });

  it("drops a chunk when transform returns null", async () => {
    const port = await serve((s) => `echo:${s}`);
    let dropped = 0;
    const client = await through(
      {
        transform: (chunk) => {
          if (chunk.toString() !== "secret") return chunk;
          dropped++;
          return null;
        },
      },
      port,
    );
    client.write("secret");
    await waitFor(() => dropped === 1);
    const answer = nextData(client);
    client.write("public");
    expect(await answer).toBe("echo:public");
    expect(proxy?.bytes.toServer).toBe(6);
  });

  it("holds each chunk for the latency, in order, each way", async () => {
    const port = await serve((s) => `echo:${s}`);
    const pending: { run: () => void; ms: number }[] = [];
    const client = await through(
      { latencyMs: 50, schedule: (run, ms) => pending.push({ run, ms }) },
      port,
    );
    client.write("a");
    // Nothing reaches the server until the scheduled delay runs.
    await waitFor(() => pending.length === 1);
    expect(pending[0]?.ms).toBe(50);
    expect(proxy?.bytes.toServer).toBe(0);
    pending.shift()?.run();
    await waitFor(() => pending.length === 1); // the echo, now held on its way back
    expect(proxy?.bytes.toClient).toBe(0);
    const answer = nextData(client);
    pending.shift()?.run();
    expect(await answer).toBe("echo:a");
    expect(pending.every((p) => p.ms === 50)).toBe(true);
  });

  it("delivers a peer's last words before passing on its close, with latency", async () => {
    const port = await serve(() => "");
    let serverClosed: Promise<unknown> = new Promise(() => {});
    upstream?.removeAllListeners("connection");
    upstream?.on("connection", (socket) => {
      sockets.push(socket);
      socket.on("error", () => {});
      serverClosed = new Promise((resolve) => socket.once("close", resolve));
      socket.on("data", () => socket.end("bye"));
    });
    const pending: (() => void)[] = [];
    const client = await through({ latencyMs: 10, schedule: (run) => pending.push(run) }, port);
    let received = "";
    client.on("data", (chunk) => {
      received += chunk.toString();
    });
    let clientClosed = false;
    client.once("close", () => {
      clientClosed = true;
    });
    client.write("hi");
    await waitFor(() => pending.length === 1);
    pending.shift()?.(); // "hi" reaches the server, which answers "bye" and closes at once
    await serverClosed;
    await waitFor(() => pending.length >= 2); // "bye" and the end, held for the latency
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    while (!clientClosed) {
      pending.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(received).toBe("bye");
  });

  it("dropConnections closes the client's socket as a network failure would", async () => {
    const port = await serve((s) => s);
    const client = await through({}, port);
    const closed = new Promise((resolve) => client.once("close", resolve));
    proxy?.dropConnections();
    await closed;
    expect(client.destroyed).toBe(true);
  });
});

async function waitFor(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setImmediate(resolve));
}
