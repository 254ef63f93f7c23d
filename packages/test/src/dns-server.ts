/**
 * A tiny authoritative DNS server on loopback UDP for tests (RFC 1035 §4
 * messages): answers SRV (RFC 2782), A and AAAA queries from a table the
 * test can change while it runs; unknown names get NXDOMAIN. Point a
 * client's `dns.servers` at `address` to test SRV resolution for real.
 */
import { createSocket, type RemoteInfo } from "node:dgram";
import { isIPv4, isIPv6 } from "node:net";

/** One SRV record; `target` "." means "no service here". */
export interface TestSrvRecord {
  priority?: number;
  weight?: number;
  port: number;
  target: string;
}

/** What the server answers, keyed by fully qualified name without the trailing dot. */
export interface DnsZone {
  srv?: Record<string, TestSrvRecord[]>;
  /** IPv4 and IPv6 addresses per host name (A and AAAA answers). */
  hosts?: Record<string, string[]>;
}

/** A running test DNS server. */
export interface TestDnsServer {
  /** Always 127.0.0.1. */
  host: string;
  port: number;
  /** `127.0.0.1:port`, as `dns.servers` takes it. */
  address: string;
  /** Every question received, as `TYPE name` (e.g. `SRV _xmpp-client._tcp.example.org`). */
  readonly queries: string[];
  /** Replaces the zone. */
  setZone(zone: DnsZone): void;
  /** While true, queries are read but never answered (timeout tests). */
  silent: boolean;
  stop(): Promise<void>;
}

const TYPE = { A: 1, AAAA: 28, SRV: 33 } as const;
const TYPE_NAMES: Record<number, string> = { 1: "A", 28: "AAAA", 33: "SRV" };

/** Starts the server on a free loopback UDP port. */
export async function startDnsServer(zone: DnsZone = {}): Promise<TestDnsServer> {
  const socket = createSocket("udp4");
  let current = zone;
  const queries: string[] = [];
  const server: TestDnsServer = {
    host: "127.0.0.1",
    port: 0,
    address: "",
    queries,
    silent: false,
    setZone(next) {
      current = next;
    },
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
  socket.on("message", (message: Buffer, peer: RemoteInfo) => {
    const reply = answer(message, current, queries, server.silent);
    if (reply) socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => resolve());
  });
  server.port = socket.address().port;
  server.address = `127.0.0.1:${server.port}`;
  return server;
}

/** Builds the reply to one query, or undefined when it should be ignored. */
function answer(query: Buffer, zone: DnsZone, log: string[], silent: boolean): Buffer | undefined {
  if (query.length < 12 || (query.readUInt16BE(2) & 0x8000) !== 0) return undefined;
  const question = readQuestion(query, 12);
  if (!question) return undefined;
  log.push(`${TYPE_NAMES[question.type] ?? question.type} ${question.name}`);
  if (silent) return undefined;

  const name = question.name.toLowerCase();
  const srv = zone.srv?.[name];
  const hosts = zone.hosts?.[name];
  const records: Buffer[] = [];
  if (question.type === TYPE.SRV && srv) {
    for (const r of srv) records.push(srvData(r));
  } else if (question.type === TYPE.A) {
    for (const ip of hosts?.filter((h) => isIPv4(h)) ?? [])
      records.push(Buffer.from(ip.split(".").map(Number)));
  } else if (question.type === TYPE.AAAA) {
    for (const ip of hosts?.filter((h) => isIPv6(h)) ?? []) records.push(ipv6Bytes(ip));
  }
  const known = srv !== undefined || hosts !== undefined;

  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // id
  // QR, opcode 0, AA, RD copied, RA; RCODE 3 (NXDOMAIN) for names we know nothing about.
  header.writeUInt16BE(0x8400 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | (known ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const answers = records.map((data) => {
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question
    rr.writeUInt16BE(question.type, 2);
    rr.writeUInt16BE(1, 4); // class IN
    rr.writeUInt32BE(5, 6); // TTL
    rr.writeUInt16BE(data.length, 10);
    return Buffer.concat([rr, data]);
  });
  return Buffer.concat([header, query.subarray(12, question.end), ...answers]);
}

function readQuestion(
  message: Buffer,
  offset: number,
): { name: string; type: number; end: number } | undefined {
  const labels: string[] = [];
  let at = offset;
  while (at < message.length) {
    const length = message[at] ?? 0;
    if (length === 0) break;
    if (length > 63) return undefined;
    labels.push(message.toString("latin1", at + 1, at + 1 + length));
    at += 1 + length;
  }
  if (at + 5 > message.length) return undefined;
  return { name: labels.join("."), type: message.readUInt16BE(at + 1), end: at + 5 };
}

function srvData(record: TestSrvRecord): Buffer {
  const fixed = Buffer.alloc(6);
  fixed.writeUInt16BE(record.priority ?? 0, 0);
  fixed.writeUInt16BE(record.weight ?? 0, 2);
  fixed.writeUInt16BE(record.port, 4);
  return Buffer.concat([fixed, encodeName(record.target)]);
}

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/u, "").split(".").filter(Boolean);
  return Buffer.concat([
    ...labels.map((label) =>
      Buffer.concat([Buffer.from([label.length]), Buffer.from(label, "latin1")]),
    ),
    Buffer.from([0]),
  ]);
}

function ipv6Bytes(ip: string): Buffer {
  const [head = "", tail = ""] = ip.split("::");
  const part = (s: string) => (s ? s.split(":") : []);
  const left = part(head);
  const right = ip.includes("::") ? part(tail) : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  const bytes = Buffer.alloc(16);
  groups.forEach((g, i) => {
    bytes.writeUInt16BE(Number.parseInt(g, 16) || 0, i * 2);
  });
  return bytes;
}
