import { createHash } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { silentLogger } from "@clawxmpp/core";
import { afterEach, describe, expect, it } from "vitest";
import { ComponentError } from "./component-error.js";
import { handshakeDigest } from "./handshake.js";
import { socketTransport } from "./socket-transport.js";

// The digest of XEP-0114's example stream id and secret, computed independently (sha1sum).
it("computes the XEP-0114 handshake digest", () => {
  expect(handshakeDigest("3BF96D32", "sesame")).toBe("7a98dc4c9e92493d7fd66a25364c862637789c45");
});

/** A minimal XEP-0114 server on loopback: checks the digest, then echoes stanzas back. */
function fakeComponentPort(secret: string, onStanza?: (socket: Socket, data: string) => void) {
  const seen: string[] = [];
  const server = createServer((socket) => {
    let buffer = "";
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      seen.push(chunk.toString());
      if (buffer.includes("<stream:stream") && !buffer.includes("STREAM-SENT")) {
        buffer += "STREAM-SENT";
        socket.write(
          "<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' from='bots.localhost' id='abc123'>",
        );
      }
      const match = /<handshake>([0-9a-f]+)<\/handshake>/u.exec(buffer);
      if (match && !buffer.includes("HANDSHAKE-DONE")) {
        buffer += "HANDSHAKE-DONE";
        const expected = createHash("sha1").update(`abc123${secret}`).digest("hex");
        if (match[1] === expected) socket.write("<handshake/>");
        else {
          socket.write(
            "<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>",
          );
          socket.end();
        }
        return;
      }
      if (buffer.includes("HANDSHAKE-DONE")) onStanza?.(socket, chunk.toString());
    });
    socket.on("error", () => {});
  });
  return new Promise<{ server: Server; port: number; seen: string[] }>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({ server, port: typeof address === "object" && address ? address.port : 0, seen });
    });
  });
}

let servers: Server[] = [];
afterEach(() => {
  for (const server of servers) server.close();
  servers = [];
});

function transport(
  port: number,
  secret: string,
  events: { elements: string[]; closed: (Error | undefined)[] },
) {
  return socketTransport({
    domain: "bots.localhost",
    secret,
    host: "127.0.0.1",
    port,
    tls: { enabled: false },
    timeout: 2_000,
    maxElementBytes: 4096,
    logger: silentLogger,
  })({
    jid: "bots.localhost",
    password: secret,
    host: "127.0.0.1",
    port,
    domain: "bots.localhost",
    tls: { mode: "none", minVersion: "TLSv1.2" },
    timeouts: { connect: 1, tls: 1, features: 1, auth: 1, bind: 1 },
    listener: {
      element: (element) => events.elements.push(element.toString()),
      closed: (error) => events.closed.push(error),
    },
  });
}

describe("XEP-0114 socket", () => {
  it("opens the accept stream, hands the digest over and reads stanzas", async () => {
    const { server, port, seen } = await fakeComponentPort("right", (socket, data) => {
      if (data.includes("<message"))
        socket.write(
          "<message from='a@localhost' to='x@bots.localhost'><body>back</body></message>",
        );
    });
    servers.push(server);
    const events = { elements: [] as string[], closed: [] as (Error | undefined)[] };
    const t = transport(port, "right", events);
    const result = await t.open({ resource: "", enableStreamManagement: true });
    expect(result).toMatchObject({ jid: "bots.localhost", resumed: false, mechanism: "handshake" });
    expect(seen.join("")).toContain("xmlns='jabber:component:accept'");
    expect(seen.join("")).toContain("to='bots.localhost'");
    const { xml } = await import("@clawxmpp/core");
    await t.write([
      xml("message", { to: "a@localhost", from: "x@bots.localhost" }, xml("body", {}, "hi")),
    ]);
    await expect.poll(() => events.elements.length).toBe(1);
    expect(events.elements[0]).toContain("back");
    await t.close();
    expect(events.closed).toEqual([undefined]);
  });

  it("turns a refused handshake into a terminal handshake error", async () => {
    const { server, port } = await fakeComponentPort("right");
    servers.push(server);
    const events = { elements: [] as string[], closed: [] as (Error | undefined)[] };
    const error = await transport(port, "wrong", events)
      .open({ resource: "", enableStreamManagement: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComponentError);
    expect(error).toMatchObject({ code: "handshake", terminal: true, condition: "not-authorized" });
    expect((error as Error).message).toMatch(/^\[component\] .*wrong component secret/);
    expect(events.closed).toEqual([]);
  });

  it("drops the connection on an oversized element or garbage, never throwing", async () => {
    const { server, port } = await fakeComponentPort("right", (socket, data) => {
      if (data.includes("big"))
        socket.write(`<message><body>${"x".repeat(10_000)}</body></message>`);
    });
    servers.push(server);
    const events = { elements: [] as string[], closed: [] as (Error | undefined)[] };
    const t = transport(port, "right", events);
    await t.open({ resource: "", enableStreamManagement: false });
    const { xml } = await import("@clawxmpp/core");
    await t.write([xml("message", { to: "a@localhost" }, xml("body", {}, "big"))]);
    await expect.poll(() => events.closed.length).toBe(1);
    expect(events.closed[0]?.message).toMatch(/exceeds 4096 bytes/);
  });

  it("drops the connection on unreadable XML with a clear error", async () => {
    const { server, port } = await fakeComponentPort("right", (socket, data) => {
      if (data.includes("garbage")) socket.write("<message></iq>");
    });
    servers.push(server);
    const events = { elements: [] as string[], closed: [] as (Error | undefined)[] };
    const t = transport(port, "right", events);
    await t.open({ resource: "", enableStreamManagement: false });
    const { xml } = await import("@clawxmpp/core");
    await t.write([xml("message", { to: "a@localhost" }, xml("body", {}, "garbage"))]);
    await expect.poll(() => events.closed.length).toBe(1);
    expect(events.closed[0]?.message).toMatch(/^\[component\] unreadable XML/);
  });

  it("fails clearly when nothing listens", async () => {
    const { server, port } = await fakeComponentPort("right");
    server.close();
    const events = { elements: [] as string[], closed: [] as (Error | undefined)[] };
    await expect(
      transport(port, "right", events).open({ resource: "", enableStreamManagement: false }),
    ).rejects.toMatchObject({ code: "connection" });
  });
});
