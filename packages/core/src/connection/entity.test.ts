import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";
import type { TraceDirection } from "../trace.js";
import { xml } from "../xml.js";
import { createEntity } from "./entity.js";

const params = {
  jid: "bot@example.org",
  domain: "example.org",
  tls: { mode: "starttls" as const, minVersion: "TLSv1.2" as const },
  timeouts: { connect: 1_000, tls: 1_000, features: 1_000, auth: 1_000, bind: 1_000 },
};

/** A socket that records what is written; `secure` as the TLS layer would set it. */
class FakeSocket extends EventEmitter {
  readonly written: string[] = [];
  constructor(readonly secure: boolean) {
    super();
  }
  write(data: string, callback: (error?: Error | null) => void): void {
    this.written.push(data);
    callback(null);
  }
  end(): void {}
}

/** Opens a stream over `socket` as the transport does after connect (or after TLS, on restart). */
function openOver(socket: FakeSocket, trace?: (d: TraceDirection, x: string) => void) {
  const entity = createEntity({ ...params, ...(trace ? { trace } : {}) });
  // What entity.connect() sets up before opening, without a real socket.
  const Transport = entity.transports[0] as { prototype: { Parser: unknown } };
  Object.assign(entity, { Transport, Parser: Transport.prototype.Parser });
  entity._attachSocket(socket);
  entity.open({ domain: params.domain }).catch(() => {});
  return entity;
}

describe("stream header from (RFC 6120 §4.7.1)", () => {
  it("carries the bare JID once the stream is encrypted", () => {
    const socket = new FakeSocket(true);
    openOver(socket);
    expect(socket.written[0]).toMatch(/^<\?xml version='1.0'\?><stream:stream /u);
    expect(socket.written[0]).toContain(' from="bot@example.org"');
    expect(socket.written[0]).toContain(' to="example.org"');
  });

  it("is absent before TLS", () => {
    const socket = new FakeSocket(false);
    openOver(socket);
    expect(socket.written[0]).toMatch(/<stream:stream /u);
    expect(socket.written[0]).not.toContain("from=");
  });
});

describe("hostile stream errors", () => {
  it("does not follow see-other-host behind the transport's back", async () => {
    const socket = new FakeSocket(true);
    const entity = openOver(socket);
    const connect = vi.spyOn(entity, "connect");
    socket.emit(
      "data",
      Buffer.from(
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'><stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>evil.example:5222</see-other-host></stream:error>",
      ),
    );
    socket.emit("close");
    await new Promise((resolve) => setImmediate(resolve));
    expect(connect).not.toHaveBeenCalled();
  });
});

describe("trace hook", () => {
  it("traces the header, sent elements redacted, and received ones", async () => {
    const lines: [TraceDirection, string][] = [];
    const socket = new FakeSocket(true);
    const entity = openOver(socket, (d, x) => lines.push([d, x]));
    await entity.send(
      xml(
        "auth",
        { xmlns: "urn:ietf:params:xml:ns:xmpp-sasl", mechanism: "PLAIN" },
        "AGJvdABib3Q=",
      ),
    );
    socket.emit(
      "data",
      Buffer.from(
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='example.org' id='s1' version='1.0'><success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>dj1zZWNyZXQ=</success>",
      ),
    );
    expect(lines.map(([d]) => d)).toEqual(["out", "out", "in", "in"]);
    expect(lines[0]?.[1]).toContain('from="bot@example.org"');
    expect(lines[1]?.[1]).toBe(
      '<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN">[redacted]</auth>',
    );
    expect(lines[2]?.[1]).toMatch(/^<stream:stream .*id="s1".*>$/u);
    expect(lines[2]?.[1]).not.toMatch(/\/>$/u);
    expect(lines[3]?.[1]).toBe(
      '<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl">[redacted]</success>',
    );
    // The wire still carries the real payload.
    expect(socket.written.join("")).toContain("AGJvdABib3Q=");
  });

  it("installs nothing when the trace is off", () => {
    const entity = createEntity(params);
    expect(Object.hasOwn(entity, "send")).toBe(false);
    expect(Object.hasOwn(entity, "write")).toBe(false);
    expect(entity.listenerCount("element")).toBe(0);
  });
});
