/**
 * `@clawxmpp/upload` against each real server of the matrix (XEP-0363 over plain
 * http on loopback): Prosody's mod_http_file_share and ejabberd's mod_http_upload.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Client, definePlugin, type InboundMessage } from "@clawxmpp/core";
import { NS_UPLOAD, UploadError, type UploadHandle, upload } from "@clawxmpp/upload";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, serverKinds, startServer, type XmppServer } from "../src/index.js";
import { nextEvent } from "./helpers.js";

describe.each(serverKinds())("upload against %s", (kind) => {
  let server: XmppServer;
  let base: string;
  let roots: string;
  let downloads: string;
  let bot: Client;
  let alice: Client;
  let bob: Client;
  let botUpload: UploadHandle;
  let aliceUpload: UploadHandle;
  let bobUpload: UploadHandle;
  let botSlotRequests = 0;

  /** Counts the XEP-0363 slot requests the bot sends. */
  const slotSpy = definePlugin("slot-spy", (ctx) => {
    ctx.outbound.use("build", (c) => {
      if (c.stanza.name === "iq" && c.stanza.getChild("request", NS_UPLOAD)) botSlotRequests++;
    });
    return { stop() {} };
  });

  const PNG = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    randomBytes(300_000),
  ]);

  beforeAll(async () => {
    server = await startServer({ kind });
    base = await mkdtemp(path.join(tmpdir(), "clawxmpp-upload-it-"));
    roots = path.join(base, "outbox");
    downloads = path.join(base, "downloads");
    await import("node:fs/promises").then((fs) => fs.mkdir(roots));
    bot = clientFor(server, "bot");
    alice = clientFor(server, "alice");
    bob = clientFor(server, "bob");
    bot.use(slotSpy, undefined);
    // The fixture serves uploads over http://localhost: loopback, so both switches are explicit here.
    botUpload = bot.use(upload, {
      roots: [roots],
      downloadDir: downloads,
      allowInsecureHttp: true,
      allowPrivateAddresses: true,
    });
    aliceUpload = alice.use(upload, { allowInsecureHttp: true });
    bobUpload = bob.use(upload, { downloadDir: path.join(base, "bob-downloads") });
    await Promise.all([bot.start(), alice.start(), bob.start()]);
  });

  afterAll(async () => {
    await Promise.all([bot, alice, bob].map((c) => c?.stop()));
    await server?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  describe("XEP-0363 upload", () => {
    it("discovers the upload component and its size limit", async () => {
      expect(await botUpload.service()).toEqual({
        jid: server.uploadDomain,
        maxFileSize: 1024 * 1024,
      });
    });

    it("uploads a file from the roots; another client fetches identical bytes by the URL", async () => {
      const file = path.join(roots, "photo.png");
      await writeFile(file, PNG);
      const progress: number[] = [];
      const result = await botUpload.upload(file, {
        onProgress: ({ sent }) => progress.push(sent),
      });
      // Prosody's http_file_share: /file_share/<id>/<name>; ejabberd's mod_http_upload:
      // /upload/<hash>/<random>/<name>.
      const path_ = kind === "ejabberd" ? "upload/[0-9a-f]+/[^/]+" : "file_share/[^/]+";
      expect(result.url).toMatch(
        new RegExp(`^http://localhost:${server.httpPort}/${path_}/photo\\.png$`, "u"),
      );
      expect(result.contentType).toBe("image/png");
      expect(progress.at(-1)).toBe(PNG.length);
      const fetched = Buffer.from(await (await fetch(result.url)).arrayBuffer());
      expect(fetched.equals(PNG)).toBe(true);
    });

    it("sendFile delivers body = URL plus OOB, and the receiver downloads and saves it", async () => {
      const received = nextEvent<InboundMessage>(
        bot,
        "message",
        (m) => m.from.bare === "alice@localhost" && m.attachments !== undefined,
      );
      const sent = await aliceUpload.sendFile("bot@localhost", PNG, { name: "holiday.png" });
      const message = await received;
      expect(message.body).toBe(sent.url);
      expect(message.attachments).toEqual([
        { url: sent.url, via: "oob", description: undefined, encrypted: false },
      ]);
      const saved = await botUpload.download(message.attachments![0]!);
      expect(path.dirname(saved.path)).toBe(downloads);
      expect(path.basename(saved.path)).toMatch(/^[0-9a-f]{24}\.png$/u);
      expect(saved.contentType).toBe("image/png");
      expect(saved.originalName).toBe("holiday.png");
      expect((await readFile(saved.path)).equals(PNG)).toBe(true);
      expect((await stat(saved.path)).mode & 0o777).toBe(0o600);
    });

    it("refuses an oversize file before any slot request or HTTP upload", async () => {
      const before = botSlotRequests;
      const oversize = path.join(roots, "big.bin");
      await writeFile(oversize, Buffer.alloc(1024 * 1024 + 1));
      const error = await botUpload.upload(oversize).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UploadError);
      expect((error as UploadError).reason).toBe("too-large");
      expect((error as UploadError).code).toBe("upload");
      expect((error as Error).message).toMatch(/1048577 bytes.*at most 1048576/u);
      expect(botSlotRequests).toBe(before);
      // The spy does count real slot requests.
      await botUpload.upload(Buffer.from("small"));
      expect(botSlotRequests).toBe(before + 1);
    });

    it("refuses a file outside the roots", async () => {
      const error = await botUpload.upload("/etc/hostname").catch((e: unknown) => e);
      expect((error as UploadError).reason).toBe("outside-roots");
    });

    it("refuses a URL on a private address by default", async () => {
      const { url } = await aliceUpload.upload(Buffer.from("private"), { name: "p.txt" });
      for (const target of [`http://127.0.0.1:${server.httpPort}/x`, url]) {
        const error = await bobUpload.download(target).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UploadError);
        expect((error as UploadError).reason).toBe("private-address");
      }
      await expect(readdir(path.join(base, "bob-downloads"))).rejects.toThrow();
    });

    it("saves a file whose URL name contains ../ safely inside the download directory", async () => {
      const { url } = await aliceUpload.upload(Buffer.from("#!/bin/sh\necho pwned\n"), {
        name: "script.sh",
      });
      const hostile = url.replace(/script\.sh$/u, "..%2F..%2Fevil.sh");
      const received = nextEvent<InboundMessage>(
        bot,
        "message",
        (m) => m.from.bare === "alice@localhost" && m.body === hostile,
      );
      await alice.send({ to: "bot@localhost", body: hostile });
      const message = await received;
      expect(message.attachments?.[0]).toMatchObject({ url: hostile, via: "body" });
      if (kind === "ejabberd") {
        // ejabberd serves a file only under its exact path (Prosody only by its id, whatever
        // name follows), so the renamed URL is a 404 and nothing is written anywhere.
        const refused = await botUpload.download(message.attachments![0]!).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(UploadError);
        expect((refused as UploadError).reason).toBe("http");
        expect((refused as Error).message).toMatch(/HTTP 404/u);
        for (const dir of [base, path.dirname(base), downloads]) {
          expect(await readdir(dir)).not.toContain("evil.sh");
        }
        return;
      }
      const saved = await botUpload.download(message.attachments![0]!);
      expect(path.dirname(saved.path)).toBe(downloads);
      expect(path.basename(saved.path)).toMatch(/^[0-9a-f]{24}\.txt$/u);
      expect(saved.originalName).toBe("evil.sh");
      expect(await readFile(saved.path, "utf8")).toBe("#!/bin/sh\necho pwned\n");
      for (const dir of [base, path.dirname(base), downloads]) {
        expect(await readdir(dir)).not.toContain("evil.sh");
      }
    });
  });
});
