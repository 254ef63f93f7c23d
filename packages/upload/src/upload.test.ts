import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http, { type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { type Client, createClient, type Element, type InboundMessage, xml } from "@clawxmpp/core";
import {
  chat,
  type FakeServer,
  fakeServer,
  iq,
  nextEvent,
  testPluginConformance,
  until,
} from "@clawxmpp/test";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { aesgcmCipher } from "./media-cipher.js";
import { type UploadHandle, upload } from "./upload.js";
import { UploadError } from "./upload-error.js";
import type { UploadOptionsInput } from "./upload-options.js";

const NS = "urn:xmpp:http:upload:0";
const ITEMS = "http://jabber.org/protocol/disco#items";
const INFO = "http://jabber.org/protocol/disco#info";
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(200_000, 3),
]);

interface Put {
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let httpServer: http.Server;
let port: number;
let putStatus = 201;
const puts: Put[] = [];
let roots: string;

beforeAll(async () => {
  httpServer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      puts.push({ url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(putStatus).end();
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  port = (httpServer.address() as { port: number }).port;
  roots = await mkdtemp(path.join(tmpdir(), "upload-roots-"));
});

afterAll(async () => {
  httpServer.closeAllConnections();
  await new Promise((resolve) => httpServer.close(resolve));
  await rm(roots, { recursive: true, force: true });
});

/** Plays the server side of XEP-0363: disco and slots, answering every IQ the client sends. */
class UploadServer {
  maxFileSize: number | undefined = 1_000_000;
  hasService = true;
  slotError: Element | undefined;
  readonly requests: Element[] = [];
  #seen = 0;
  #timer: NodeJS.Timeout;

  constructor(readonly server: FakeServer) {
    this.#timer = setInterval(() => this.#poll(), 2);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  count(predicate: (el: Element) => boolean): number {
    return this.requests.filter(predicate).length;
  }

  #poll(): void {
    if (!this.server.connected) return;
    while (this.#seen < this.server.sent.length) {
      const stanza = this.server.sent[this.#seen++]!;
      if (stanza.name !== "iq" || (stanza.attrs.type !== "get" && stanza.attrs.type !== "set")) {
        continue;
      }
      this.requests.push(stanza);
      const reply = this.#answer(stanza);
      this.server.receive(
        iq(
          reply ? "result" : "error",
          { id: stanza.attrs.id ?? "", from: stanza.attrs.to ?? "" },
          ...(reply ? [reply] : []),
        ),
      );
    }
  }

  #answer(stanza: Element): Element | undefined {
    const child = stanza.getChildElements()[0];
    const to = stanza.attrs.to;
    if (child?.is("query", ITEMS) && to === "example.test") {
      return xml(
        "query",
        { xmlns: ITEMS },
        xml("item", { jid: "conference.example.test" }),
        this.hasService && xml("item", { jid: "upload.example.test" }),
      );
    }
    if (child?.is("query", INFO) && to === "upload.example.test") {
      return xml(
        "query",
        { xmlns: INFO },
        xml("identity", { category: "store", type: "file" }),
        xml("feature", { var: NS }),
        this.maxFileSize !== undefined &&
          xml(
            "x",
            { xmlns: "jabber:x:data", type: "result" },
            xml("field", { var: "FORM_TYPE", type: "hidden" }, xml("value", {}, NS)),
            xml("field", { var: "max-file-size" }, xml("value", {}, String(this.maxFileSize))),
          ),
      );
    }
    if (child?.is("query", INFO)) {
      return xml(
        "query",
        { xmlns: INFO },
        xml("identity", { category: "conference", type: "text" }),
      );
    }
    if (child?.is("request", NS)) {
      if (this.slotError) throw new Error("use slotError via error reply");
      const name = encodeURIComponent(child.attrs.filename ?? "");
      return xml(
        "slot",
        { xmlns: NS },
        xml(
          "put",
          { url: `http://127.0.0.1:${port}/put/abc/${name}` },
          xml("header", { name: "Authorization" }, "Bearer token"),
          xml("header", { name: "X-Evil" }, "1"),
          xml("header", { name: "Cookie" }, "c=1"),
        ),
        xml("get", { url: `http://127.0.0.1:${port}/get/abc/${name}` }),
      );
    }
    return child?.is("enable", "urn:xmpp:carbons:2") ? xml("ok") : undefined;
  }
}

let server: FakeServer;
let uploadServer: UploadServer;
let client: Client;

beforeEach(async () => {
  puts.length = 0;
  putStatus = 201;
  server = fakeServer();
  uploadServer = new UploadServer(server);
  client = createClient({
    jid: "bot@example.test",
    password: "x",
    transport: server.factory,
    keepalive: { interval: 0 },
    reconnect: { initialDelay: 5, maxDelay: 10 },
  });
  await client.start();
});

afterEach(async () => {
  uploadServer.stop();
  await client.stop();
});

function plugin(options: Partial<UploadOptionsInput> = {}): UploadHandle {
  return client.use(upload, { roots: [roots], allowInsecureHttp: true, ...options });
}

async function failure(promise: Promise<unknown>): Promise<UploadError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UploadError);
  return error as UploadError;
}

const isSlotRequest = (el: Element) => el.getChild("request", NS) !== undefined;
const isItemsQuery = (el: Element) => el.getChild("query", ITEMS) !== undefined;

describe("upload service discovery (XEP-0363 §3)", () => {
  it("finds the service by disco items + info and reads its limit", async () => {
    const service = await plugin().service();
    expect(service).toEqual({ jid: "upload.example.test", maxFileSize: 1_000_000 });
  });

  it("discovers once per session, again after a new (not resumed) session", async () => {
    const handle = plugin();
    await handle.service();
    await handle.service();
    expect(uploadServer.count(isItemsQuery)).toBe(1);
    const online = nextEvent(client, "online");
    server.drop();
    await online;
    await handle.service();
    expect(uploadServer.count(isItemsQuery)).toBe(2);
  });

  it("fails with no-service when the server has none", async () => {
    uploadServer.hasService = false;
    expect((await failure(plugin().service())).reason).toBe("no-service");
  });
});

describe("upload (XEP-0363 §4–5)", () => {
  it("uploads bytes with only the allowed headers and reports progress", async () => {
    const progress: number[] = [];
    const result = await plugin().upload(PNG, {
      name: "photo.png",
      onProgress: ({ sent, total }) => {
        expect(total).toBe(PNG.length);
        progress.push(sent);
      },
    });
    expect(result).toEqual({
      url: `http://127.0.0.1:${port}/get/abc/photo.png`,
      name: "photo.png",
      size: PNG.length,
      contentType: "image/png",
    });
    const request = uploadServer.requests.find(isSlotRequest)?.getChild("request", NS);
    expect(request?.attrs).toMatchObject({
      filename: "photo.png",
      size: String(PNG.length),
      "content-type": "image/png",
    });
    expect(puts).toHaveLength(1);
    const put = puts[0]!;
    expect(put.url).toBe("/put/abc/photo.png");
    expect(put.body.equals(PNG)).toBe(true);
    expect(put.headers.authorization).toBe("Bearer token");
    expect(put.headers.cookie).toBe("c=1");
    expect(put.headers["x-evil"]).toBeUndefined();
    expect(put.headers["content-type"]).toBe("image/png");
    expect(put.headers["content-length"]).toBe(String(PNG.length));
    expect(progress.at(-1)).toBe(PNG.length);
    expect(progress.length).toBeGreaterThan(1);
  });

  it("streams a file from inside the roots", async () => {
    const file = path.join(roots, "notes.txt");
    await writeFile(file, "hello from a file\n");
    const result = await plugin().upload(file);
    expect(result.name).toBe("notes.txt");
    expect(result.contentType).toBe("text/plain");
    expect(puts[0]?.body.toString()).toBe("hello from a file\n");
  });

  it("uploads a Node stream of announced size and refuses a size mismatch", async () => {
    const handle = plugin();
    await handle.upload(Readable.from([Buffer.from("abc"), Buffer.from("def")]), {
      size: 6,
      name: "s.bin",
    });
    expect(puts[0]?.body.toString()).toBe("abcdef");
    const short = await failure(handle.upload(Readable.from([Buffer.from("abc")]), { size: 6 }));
    expect(short.reason).toBe("size-mismatch");
    expect((await failure(handle.upload(Readable.from([])))).reason).toBe("size-mismatch");
  });

  it("refuses a file over the service's limit before any slot request or HTTP request", async () => {
    uploadServer.maxFileSize = 100;
    const error = await failure(plugin().upload(Buffer.alloc(101)));
    expect(error.reason).toBe("too-large");
    expect(error.message).toMatch(/101 bytes.*at most 100/u);
    expect(uploadServer.count(isSlotRequest)).toBe(0);
    expect(puts).toHaveLength(0);
  });

  it("refuses a path outside the roots before talking to the server", async () => {
    const error = await failure(plugin().upload("/etc/passwd"));
    expect(error.reason).toBe("outside-roots");
    expect(uploadServer.requests.filter((r) => r.getChild("query", ITEMS))).toHaveLength(0);
  });

  it("carries the HTTP status when the PUT fails", async () => {
    putStatus = 413;
    const error = await failure(plugin().upload(Buffer.from("x")));
    expect(error.reason).toBe("http");
    expect(error.status).toBe(413);
    expect(error.code).toBe("upload");
  });

  it("refuses a plain-http slot unless allowInsecureHttp", async () => {
    const error = await failure(plugin({ allowInsecureHttp: false }).upload(Buffer.from("x")));
    expect(error.reason).toBe("insecure-url");
    expect(puts).toHaveLength(0);
  });

  it("rejects uploads once stopped", async () => {
    const handle = plugin();
    await handle.stop();
    await expect(handle.upload(Buffer.from("x"))).rejects.toMatchObject({ code: "stopped" });
  });
});

describe("sendFile", () => {
  it("sends body = URL plus XEP-0066 OOB, with a caption before it", async () => {
    const sent = await plugin().sendFile("alice@example.test", PNG, {
      name: "p.png",
      body: "look",
    });
    const messages = server.sent.filter((el) => el.name === "message");
    expect(messages).toHaveLength(2);
    const [caption, file] = messages as [Element, Element];
    expect(caption.getChildText("body")).toBe("look");
    expect(file.attrs).toMatchObject({ to: "alice@example.test", type: "chat", id: sent.id });
    expect(file.getChildText("body")).toBe(sent.url);
    const oob = file.getChild("x", "jabber:x:oob");
    expect(oob?.getChildText("url")).toBe(sent.url);
    expect(oob?.getChildText("desc")).toBe("look");
  });

  it("sends groupchat files without a caption as one message", async () => {
    await plugin().sendFile("room@conference.example.test", Buffer.from("hi"), {
      type: "groupchat",
    });
    const messages = server.sent.filter((el) => el.name === "message");
    expect(messages).toHaveLength(1);
    expect(messages[0]?.attrs.type).toBe("groupchat");
    expect(messages[0]?.getChild("x", "jabber:x:oob")?.getChild("desc")).toBeUndefined();
  });
});

describe("encrypted media (XEP-0454) through a run-time cipher", () => {
  it("uploads ciphertext and shares an aesgcm:// link that decrypts to the file", async () => {
    const handle = plugin();
    const dispose = handle.useCipher(aesgcmCipher());
    const plaintext = Buffer.from("secret picture bytes");
    const sent = await handle.sendFile("alice@example.test", plaintext, { encrypted: true });
    expect(sent.url).toMatch(/^aesgcm:\/\/127\.0\.0\.1:\d+\/get\/abc\/file#[0-9a-f]{88}$/u);
    const put = puts.at(-1);
    expect(put?.body.equals(plaintext)).toBe(false);
    expect(put?.body.length).toBe(plaintext.length + 16);
    const message = server.sent.filter((el) => el.name === "message").at(-1);
    expect(message?.getChildText("body")).toBe(sent.url);
    expect(message?.getChild("x", "jabber:x:oob")).toBeUndefined();
    // The recipient's side: the ciphertext and the link's fragment give the file back.
    const decrypted = await aesgcmCipher().decrypt(
      new URL(sent.url),
      new Blob([new Uint8Array(put?.body ?? [])]).stream(),
    );
    expect(Buffer.from(decrypted as Uint8Array).equals(plaintext)).toBe(true);
    // A tampered byte fails authentication.
    const tampered = Buffer.from(put?.body ?? []);
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    await expect(
      aesgcmCipher().decrypt(new URL(sent.url), new Blob([tampered]).stream()),
    ).rejects.toMatchObject({ reason: "encrypted" });
    dispose();
    const error = await failure(
      handle.sendFile("alice@example.test", plaintext, { encrypted: true }),
    );
    expect(error.reason).toBe("encrypted");
  });
});

describe("inbound attachments", () => {
  it("adds OOB and bare-URL attachments to messages, and nothing to plain text", async () => {
    plugin();
    const received: InboundMessage[] = [];
    client.on("message", (m) => received.push(m));
    server.receive(
      chat(
        "alice@example.test/phone",
        "bot@example.test",
        "https://files.example/a.jpg",
        {},
        xml("x", { xmlns: "jabber:x:oob" }, xml("url", {}, "https://files.example/a.jpg")),
      ),
    );
    server.receive(chat("alice@example.test/phone", "bot@example.test", "https://files.example/b"));
    server.receive(chat("alice@example.test/phone", "bot@example.test", "just text"));
    await until(() => received.length === 3);
    expect(received.map((m) => m.attachments)).toEqual([
      [
        {
          url: "https://files.example/a.jpg",
          via: "oob",
          description: undefined,
          encrypted: false,
        },
      ],
      [{ url: "https://files.example/b", via: "body", description: undefined, encrypted: false }],
      undefined,
    ]);
  });

  it("advertises jabber:x:oob in disco#info", async () => {
    plugin();
    const reply = server.nextSent((el) => el.attrs.id === "info-1");
    server.receive(
      iq("get", { id: "info-1", from: "alice@example.test/phone" }, xml("query", { xmlns: INFO })),
    );
    const features = (await reply)
      .getChild("query", INFO)
      ?.getChildren("feature")
      .map((f) => f.attrs.var);
    expect(features).toContain("jabber:x:oob");
  });
});

testPluginConformance(upload, { options: { roots: ["/tmp"] } });
