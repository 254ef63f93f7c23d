import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Client, createClient } from "@clawxmpp/core";
import { fakeServer, until } from "@clawxmpp/test";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Resolver } from "./resolve-target.js";
import { type UploadHandle, upload } from "./upload.js";
import { UploadError } from "./upload-error.js";
import type { UploadOptionsInput } from "./upload-options.js";

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(100, 7),
]);

type Route = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Route>();
const seen: IncomingMessage[] = [];
let httpServer: http.Server;
let port: number;
let base: string;
let dir: string;
let client: Client;

beforeAll(async () => {
  httpServer = http.createServer((req, res) => {
    seen.push(req);
    const route = routes.get(new URL(req.url ?? "/", "http://x").pathname);
    if (route) route(req, res);
    else res.writeHead(404).end("not found");
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  port = (httpServer.address() as { port: number }).port;
  base = await mkdtemp(path.join(tmpdir(), "upload-dl-"));
});

afterAll(async () => {
  httpServer.closeAllConnections();
  await new Promise((resolve) => httpServer.close(resolve));
  await rm(base, { recursive: true, force: true });
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(base, "d-"));
  seen.length = 0;
  routes.clear();
  client = createClient({
    jid: "bot@example.test",
    password: "x",
    transport: fakeServer().factory,
    keepalive: { interval: 0 },
  });
});

afterEach(async () => {
  await client.stop();
});

function plugin(options: Partial<UploadOptionsInput> = {}): UploadHandle {
  return client.use(upload, { downloadDir: dir, allowPrivateAddresses: true, ...options });
}

async function failure(promise: Promise<unknown>): Promise<UploadError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UploadError);
  expect((error as UploadError).code).toBe("upload");
  return error as UploadError;
}

const local = (p: string) => `http://127.0.0.1:${port}${p}`;

describe("download", () => {
  it("saves under a generated name, mode 0600, with the type from the bytes", async () => {
    routes.set("/file/photo.png", (_req, res) => {
      res.writeHead(200, { "content-type": "text/html" }).end(PNG);
    });
    const file = await plugin().download(local("/file/photo.png"));
    expect(path.dirname(file.path)).toBe(dir);
    expect(path.basename(file.path)).toMatch(/^[0-9a-f]{24}\.png$/u);
    expect(file.contentType).toBe("image/png");
    expect(file.declaredContentType).toBe("text/html");
    expect(file.originalName).toBe("photo.png");
    expect(file.size).toBe(PNG.length);
    expect(await readFile(file.path)).toEqual(PNG);
    expect((await stat(file.path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual([path.basename(file.path)]);
  });

  it("keeps a ../ name from the URL out of the path", async () => {
    routes.set("/file/..%2F..%2Fevil.sh", (_req, res) => res.writeHead(200).end("#!/bin/sh\n"));
    const file = await plugin().download(local("/file/..%2F..%2Fevil.sh"));
    expect(path.dirname(file.path)).toBe(dir);
    expect(path.basename(file.path)).toMatch(/^[0-9a-f]{24}\.txt$/u);
    expect(file.originalName).toBe("evil.sh");
    expect(await readdir(base)).not.toContain("evil.sh");
  });

  it("refuses a loopback address by default, before any request", async () => {
    routes.set("/x", (_req, res) => res.writeHead(200).end("x"));
    const error = await failure(plugin({ allowPrivateAddresses: false }).download(local("/x")));
    expect(error.reason).toBe("private-address");
    expect(error.message).toMatch(/127\.0\.0\.1/u);
    expect(seen).toHaveLength(0);
  });

  it("refuses a name resolving to a private address, or to a mix", async () => {
    const resolver: Resolver = async (host) =>
      host === "mixed.example"
        ? [
            { address: "93.184.216.34", family: 4 },
            { address: "169.254.169.254", family: 4 },
          ]
        : [{ address: "10.0.0.7", family: 4 }];
    const handle = plugin({ allowPrivateAddresses: false, resolver });
    expect((await failure(handle.download("https://intranet.example/a"))).reason).toBe(
      "private-address",
    );
    const mixed = await failure(handle.download("https://mixed.example/a"));
    expect(mixed.message).toMatch(/169\.254\.169\.254/u);
    expect((await failure(handle.download("http://[::1]/a"))).reason).toBe("private-address");
    expect((await failure(handle.download("http://[::ffff:127.0.0.1]/a"))).reason).toBe(
      "private-address",
    );
  });

  it("connects to the address it checked, not to a second DNS answer", async () => {
    routes.set("/pinned", (_req, res) => res.writeHead(200).end("pinned"));
    let calls = 0;
    const resolver: Resolver = async () => {
      calls++;
      return [{ address: "127.0.0.1", family: 4 }];
    };
    const file = await plugin({ resolver }).download(`http://files.invalid:${port}/pinned`);
    expect(await readFile(file.path, "utf8")).toBe("pinned");
    expect(seen[0]?.headers.host).toBe(`files.invalid:${port}`);
    expect(calls).toBe(1);
  });

  it("enforces the size cap while streaming and deletes the partial file", async () => {
    routes.set("/big", (_req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(600, 1));
      setTimeout(() => res.end(Buffer.alloc(600, 1)), 20);
    });
    const error = await failure(plugin({ maxDownloadBytes: 1000 }).download(local("/big")));
    expect(error.reason).toBe("too-large");
    expect(await readdir(dir)).toEqual([]);
  });

  it("refuses a too-large Content-Length before reading the body", async () => {
    routes.set("/declared", (_req, res) => {
      res.writeHead(200, { "content-length": "5000" });
      res.write(Buffer.alloc(10));
    });
    const error = await failure(plugin({ maxDownloadBytes: 1000 }).download(local("/declared")));
    expect(error.reason).toBe("too-large");
    expect(await readdir(dir)).toEqual([]);
  });

  it("times out a stalled download and deletes the partial file", async () => {
    routes.set("/stall", (_req, res) => {
      res.writeHead(200);
      res.write("partial");
    });
    const started = Date.now();
    const error = await failure(plugin({ downloadTimeout: 200 }).download(local("/stall")));
    expect(error.reason).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await readdir(dir)).toEqual([]);
  });

  it("carries the HTTP status of an error response", async () => {
    const error = await failure(plugin().download(local("/missing")));
    expect(error.reason).toBe("http");
    expect(error.status).toBe(404);
  });

  it("follows a same-host redirect", async () => {
    routes.set("/old", (_req, res) => res.writeHead(302, { location: "/new" }).end());
    routes.set("/new", (_req, res) => res.writeHead(200).end("moved"));
    const file = await plugin().download(local("/old"));
    expect(await readFile(file.path, "utf8")).toBe("moved");
    expect(file.url).toBe(local("/new"));
  });

  it("refuses a cross-host redirect unless allowed", async () => {
    routes.set("/away", (_req, res) =>
      res.writeHead(301, { location: `http://localhost:${port}/new` }).end(),
    );
    routes.set("/new", (_req, res) => res.writeHead(200).end("moved"));
    const error = await failure(plugin().download(local("/away")));
    expect(error.reason).toBe("redirect");
    expect(error.message).toMatch(/another host/u);
    expect(seen.map((r) => r.url)).toEqual(["/away"]);
    await client.stop();
    client = createClient({
      jid: "bot@example.test",
      password: "x",
      transport: fakeServer().factory,
      keepalive: { interval: 0 },
    });
    const file = await plugin({ allowCrossHostRedirects: true }).download(local("/away"));
    expect(await readFile(file.path, "utf8")).toBe("moved");
  });

  it("re-validates every hop and caps the number of redirects", async () => {
    routes.set("/loop", (_req, res) => res.writeHead(302, { location: "/loop" }).end());
    routes.set("/file", (_req, res) =>
      res.writeHead(302, { location: "file:///etc/passwd" }).end(),
    );
    const handle = plugin({ maxRedirects: 2 });
    const loop = await failure(handle.download(local("/loop")));
    expect(loop.reason).toBe("redirect");
    expect(seen).toHaveLength(3);
    expect((await failure(handle.download(local("/file")))).reason).toBe("redirect");
  });

  it("refuses an aesgcm URL clearly when no decrypt hook is set", async () => {
    const error = await failure(
      plugin().download(`aesgcm://127.0.0.1:${port}/x.jpg#${"ab".repeat(44)}`),
    );
    expect(error.reason).toBe("encrypted");
    expect(error.message).toMatch(/decrypt hook/u);
    expect(seen).toHaveLength(0);
  });

  it("refuses non-web URLs and needs a download directory", async () => {
    expect((await failure(plugin().download("file:///etc/passwd"))).reason).toBe("insecure-url");
    await client.stop();
    client = createClient({
      jid: "bot@example.test",
      password: "x",
      transport: fakeServer().factory,
      keepalive: { interval: 0 },
    });
    const handle = client.use(upload, {});
    await expect(handle.download(local("/x"))).rejects.toMatchObject({ code: "config" });
  });

  it("aborts a running download when the plugin stops", async () => {
    let responding = false;
    routes.set("/slow", (_req, res) => {
      res.writeHead(200);
      res.write("partial");
      responding = true;
    });
    const handle = plugin();
    const pending = failure(handle.download(local("/slow")));
    await until(() => responding);
    await handle.stop();
    expect((await pending).reason).toBe("aborted");
    expect(await readdir(dir)).toEqual([]);
  });
});
