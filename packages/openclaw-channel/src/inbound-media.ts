/**
 * Inbound attachments (XEP-0066 OOB, or a body that is one URL, as
 * Conversations and Gajim send XEP-0363 uploads) become files the agent can
 * open: downloaded through `@clawxmpp/upload` (size, time, redirect and
 * address limits), then moved into OpenClaw's media store, where the agent's
 * file policy allows reading them. Only called after the sender is admitted:
 * a stranger can never make the bot fetch anything.
 */
import { readFile, rm } from "node:fs/promises";
import type { Logger } from "@clawxmpp/core";
import type { Attachment, UploadHandle } from "@clawxmpp/upload";
import type { InboundMediaInput, OpenclawSdk } from "./openclaw-sdk.js";

/** What resolving a message's attachments produced. */
export interface ResolvedMedia {
  /** One entry per downloaded attachment, in message order. */
  inputs: InboundMediaInput[];
  /** A line per attachment that could not be fetched, for the agent to see. */
  failures: string[];
}

/** What resolving attachments needs. */
export interface MediaDeps {
  files: Pick<UploadHandle, "download"> | undefined;
  sdk: Pick<OpenclawSdk, "saveMediaBuffer">;
  maxBytes: number;
  logger: Logger;
}

/** Downloads each attachment and stores it for the agent; never throws. */
export async function resolveInboundMedia(
  attachments: readonly Attachment[],
  messageId: string,
  deps: MediaDeps,
): Promise<ResolvedMedia> {
  const inputs: InboundMediaInput[] = [];
  const failures: string[] = [];
  for (const attachment of attachments) {
    const label = describe(attachment);
    if (deps.files === undefined) {
      failures.push(`[attachment not downloaded: ${label}]`);
      continue;
    }
    try {
      const file = await deps.files.download(attachment);
      // An aesgcm:// URL carries its key: never hand it on.
      const url = attachment.encrypted ? undefined : attachment.url;
      let path = file.path;
      let contentType = file.contentType;
      if (deps.sdk.saveMediaBuffer !== undefined) {
        const bytes = await readFile(file.path);
        const saved = await deps.sdk.saveMediaBuffer(
          bytes,
          file.contentType,
          "inbound",
          deps.maxBytes,
          file.originalName,
        );
        await rm(file.path, { force: true });
        path = saved.path;
        contentType = saved.contentType ?? contentType;
      }
      inputs.push({
        path,
        ...(url === undefined ? {} : { url }),
        contentType,
        fileName: file.originalName,
        messageId,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      deps.logger.warn("attachment download failed", { reason });
      failures.push(`[attachment not downloaded: ${label}: ${reason}]`);
    }
  }
  return { inputs, failures };
}

/** A short, safe label for an attachment: host and file name, never the key of an aesgcm URL. */
function describe(attachment: Attachment): string {
  try {
    const url = new URL(attachment.url);
    const name = decodeURIComponent(url.pathname.split("/").pop() ?? "").slice(0, 120);
    return `${url.host}${name ? ` ${JSON.stringify(name)}` : ""}`;
  } catch {
    return "file";
  }
}
