/**
 * A tiny OpenAI-compatible model on 127.0.0.1 so a real gateway can run agent
 * turns without a real LLM. It answers `POST …/chat/completions` (streaming as
 * server-sent events, or plain JSON) with `PONG-<token>` for the last
 * `PING-<token>` found in any user message (outside OpenClaw's chat-history
 * context, which quotes earlier room messages), else `PONG`. When the last
 * directive is `ATTACH-<file>` instead, it answers `PONG-<file>` plus a
 * standalone `MEDIA:<mediaDir>/<file>` line, so OpenClaw delivers that file.
 * `STREAM<n>-<token>` streams an answer in `n` (1–50) chunks, `chunkDelayMs`
 * apart: `<token> part 1 … part n`, a paragraph break after every fourth part;
 * the request records when its first and last chunk were written.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the mock received. */
export interface MockModelRequest {
  path: string;
  stream: boolean;
  /** Concatenated text of every user message. */
  userText: string;
  /** Concatenated text of every system (and developer) message: the system prompt. */
  systemText: string;
  reply: string;
  /** Names of the tools the request offered the model. */
  tools: string[];
  /** Streamed answers: when the first and the last chunk were written (epoch ms). */
  firstChunkAt?: number;
  lastChunkAt?: number;
}

/** A running mock model. */
export interface MockModel {
  port: number;
  /** `http://127.0.0.1:<port>/v1` — the provider's `baseUrl`. */
  baseUrl: string;
  /** Chat requests served so far. */
  readonly requests: readonly MockModelRequest[];
  /** The `models.providers` entry for an OpenClaw config (provider id `mock`, model `echo`). */
  providerConfig(): Record<string, unknown>;
  stop(): Promise<void>;
}

/** The model reference to put in `agents.defaults.model.primary`. */
export const MOCK_MODEL_REF = "mock/echo";

const MAX_BODY = 8 * 1024 * 1024;

/** Computes the mock's reply for a chat-completions request body. */
export function mockReply(
  body: unknown,
  options: { mediaDir?: string } = {},
): { reply: string; userText: string; systemText: string; tools: string[]; chunks?: string[] } {
  const messages = (body as { messages?: unknown })?.messages;
  const userText = textOf(messages, ["user"]);
  const systemText = textOf(messages, ["system", "developer"]);
  const rawTools = (body as { tools?: unknown })?.tools;
  const tools = Array.isArray(rawTools)
    ? rawTools
        .map((tool) => (tool as { function?: { name?: unknown } })?.function?.name)
        .filter((name): name is string => typeof name === "string")
    : [];
  // Tokens quoted in OpenClaw's chat-history blocks belong to earlier messages, not this one.
  const last = [
    ...withoutHistory(userText).matchAll(
      /(PING|ATTACH|STREAM\d{1,2})-([A-Za-z0-9_.-]*[A-Za-z0-9_-])/gu,
    ),
  ].at(-1);
  if (last === undefined) return { reply: "PONG", userText, systemText, tools };
  const [, kind, token] = last;
  if (kind!.startsWith("STREAM")) {
    const count = Math.min(50, Math.max(1, Number(kind!.slice(6))));
    const chunks = Array.from(
      { length: count },
      (_, i) =>
        `${i === 0 ? `${token}` : ""} part ${i + 1}${(i + 1) % 4 === 0 && i + 1 < count ? ".\n\n" : ""}`,
    );
    return { reply: chunks.join(""), userText, systemText, tools, chunks };
  }
  if (kind === "ATTACH" && options.mediaDir !== undefined) {
    return {
      reply: `PONG-${token}\n\nMEDIA:${options.mediaDir}/${token}`,
      userText,
      systemText,
      tools,
    };
  }
  return { reply: `PONG-${token}`, userText, systemText, tools };
}

/**
 * `text` without OpenClaw's chat-history context blocks (a label such as
 * `Recent chat history:` marked `⟦openclaw:ctx⟧`, then one line per message,
 * up to a blank line).
 */
export function withoutHistory(text: string): string {
  return decodeInternalContext(text)
    .split(/\n{2,}/u)
    .filter((block) => !/^[^\n]*chat history[^\n]*⟦openclaw:ctx⟧/iu.test(block))
    .join("\n\n");
}

/**
 * OpenClaw's internal context block (`<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>` …
 * `<<<END_OPENCLAW_INTERNAL_CONTEXT>>>`, after the user's words) holds its
 * context sections as JSON string lines; decoded, they read like the rest.
 */
function decodeInternalContext(text: string): string {
  return text.replace(
    /<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>([\s\S]*?)<<<END_OPENCLAW_INTERNAL_CONTEXT>>>/gu,
    (_block, inner: string) =>
      inner
        .split("\n")
        .map((line) => {
          if (!/^".*"$/u.test(line)) return line;
          try {
            return `\n${String(JSON.parse(line))}\n`;
          } catch {
            return line;
          }
        })
        .join("\n"),
  );
}

/** The text of the messages with one of `roles`, joined by newlines. */
function textOf(messages: unknown, roles: readonly string[]): string {
  const texts: string[] = [];
  if (!Array.isArray(messages)) return "";
  for (const message of messages) {
    if (!roles.includes(String((message as { role?: unknown })?.role))) continue;
    const content = (message as { content?: unknown }).content;
    if (typeof content === "string") texts.push(content);
    else if (Array.isArray(content)) {
      for (const part of content) {
        const text = (part as { text?: unknown })?.text;
        if (typeof text === "string") texts.push(text);
      }
    }
  }
  return texts.join("\n");
}

/** Starts the mock on `port` (0 = any free port) on 127.0.0.1. */
export async function startMockModel(
  options: { port?: number; mediaDir?: string; chunkDelayMs?: number } = {},
): Promise<MockModel> {
  const requests: MockModelRequest[] = [];
  const server = createServer((req, res) => {
    handle(req, res, requests, options.mediaDir, options.chunkDelayMs ?? 150).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  return {
    port,
    baseUrl,
    requests,
    providerConfig: () => ({
      baseUrl,
      apiKey: "mock-local",
      api: "openai-completions",
      models: [
        {
          id: "echo",
          name: "Echo",
          reasoning: false,
          input: ["text"],
          cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
          contextWindow: 128_000,
          maxTokens: 1024,
        },
      ],
    }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  requests: MockModelRequest[],
  mediaDir: string | undefined,
  chunkDelayMs: number,
): Promise<void> {
  const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
  if (req.method === "GET" && path.endsWith("/models")) {
    json(res, 200, { object: "list", data: [{ id: "echo", object: "model", owned_by: "mock" }] });
    return;
  }
  if (req.method !== "POST" || !path.endsWith("/chat/completions")) {
    json(res, 404, { error: { message: `no route ${req.method} ${path}` } });
    return;
  }
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      json(res, 413, { error: { message: "request too large" } });
      return;
    }
    chunks.push(chunk as Buffer);
  }
  let body: { stream?: unknown; model?: unknown };
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
  } catch {
    json(res, 400, { error: { message: "invalid JSON" } });
    return;
  }
  const {
    reply,
    userText,
    systemText,
    tools,
    chunks: streamed,
  } = mockReply(body, mediaDir === undefined ? {} : { mediaDir });
  const stream = body.stream === true;
  const request: MockModelRequest = { path, stream, userText, systemText, reply, tools };
  requests.push(request);
  const id = `chatcmpl-mock-${requests.length}`;
  const created = Math.floor(Date.now() / 1000);
  const model = typeof body.model === "string" ? body.model : "echo";
  const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
  if (!stream) {
    json(res, 200, {
      id,
      object: "chat.completion",
      created,
      model,
      choices: [
        { index: 0, message: { role: "assistant", content: reply }, finish_reason: "stop" },
      ],
      usage,
    });
    return;
  }
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  const event = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
  const base = { id, object: "chat.completion.chunk", created, model };
  const parts = streamed ?? [reply];
  for (const [index, content] of parts.entries()) {
    if (index > 0) await new Promise((resolve) => setTimeout(resolve, chunkDelayMs));
    event({
      ...base,
      choices: [
        {
          index: 0,
          delta: index === 0 ? { role: "assistant", content } : { content },
          finish_reason: null,
        },
      ],
    });
    const at = Date.now();
    request.firstChunkAt ??= at;
    request.lastChunkAt = at;
  }
  event({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage });
  res.end("data: [DONE]\n\n");
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}
