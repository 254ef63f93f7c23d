/**
 * The `upload` plugin: XEP-0363 HTTP File Upload out (discover, slot, PUT,
 * then a message with body = URL plus XEP-0066 OOB, as Conversations and
 * Gajim send files) and attachments in (detected in the parse stage,
 * downloaded on request with size, time, redirect and address limits).
 */
import {
  ClawXmppError,
  ConfigError,
  type Disposer,
  definePlugin,
  type MessageType,
  type OutgoingMessage,
  type Plugin,
  type PluginContext,
  type PluginHandle,
  parseOptions,
} from "@clawxmpp/core";
import { type Attachment, detectAttachments, linkMessage, NS_OOB } from "./attachments.js";
import { type DownloadedFile, downloadAttachment } from "./download.js";
import { putFile, transferError } from "./http-put.js";
import type { EncryptedMedia, MediaCipher } from "./media-cipher.js";
import { systemResolver } from "./resolve-target.js";
import { parseSlot, slotError, slotRequest, type UploadSlot } from "./slot.js";
import { UploadError } from "./upload-error.js";
import { type UploadOptionsInput, uploadOptionsSchema } from "./upload-options.js";
import { discoverUploadService, type UploadService } from "./upload-service.js";
import { prepareSource, type UploadFileOptions, type UploadSource } from "./upload-source.js";

declare module "@clawxmpp/core" {
  interface MessageExtensions {
    /** Files the message points at (XEP-0066 OOB, or a body that is one URL); set by `@clawxmpp/upload`. */
    attachments?: Attachment[];
  }
}

/** A finished upload. */
export interface UploadResult {
  /** The URL to share (the slot's GET URL). */
  url: string;
  /** The name announced to the service. */
  name: string;
  size: number;
  contentType: string;
}

/** Options of `sendFile()`. */
export interface SendFileOptions extends UploadFileOptions {
  /** Message type. @default "chat" */
  type?: Exclude<MessageType, "error">;
  /**
   * Encrypt the file with the cipher registered through `useCipher` and share an `aesgcm://`
   * link (XEP-0454). Fails when no cipher with `encrypt` is registered. @default false
   */
  encrypted?: boolean;
  /**
   * A caption. Clients show a file only when the body is exactly its URL, so
   * the caption is sent as a message of its own just before the file and
   * repeated as the OOB description.
   */
  body?: string;
}

/** What `sendFile()` sent. */
export interface SentFile extends UploadResult {
  /** Id of the file message. */
  id: string;
}

/** The handle of the `upload` plugin. */
export interface UploadHandle extends PluginHandle {
  /** The server's upload service, discovered once per session; throws `no-service` when there is none. */
  service(): Promise<UploadService>;
  /** Uploads a file (path inside the roots), bytes or a stream; resolves with the URL to share. */
  upload(source: UploadSource, options?: UploadFileOptions): Promise<UploadResult>;
  /** Uploads and sends the file to `to` as body = URL plus XEP-0066 OOB. */
  sendFile(to: string, source: UploadSource, options?: SendFileOptions): Promise<SentFile>;
  /** Downloads an attachment (or URL) into `downloadDir` under a generated name. */
  download(attachment: Attachment | string): Promise<DownloadedFile>;
  /**
   * Registers a media cipher at run time (an end-to-end encryption plugin does, for XEP-0454);
   * returns the disposer that removes it. The latest registration wins.
   */
  useCipher(cipher: MediaCipher): Disposer;
}

/** XEP-0363 upload and safe attachment download. Use: `client.use(upload, { roots, downloadDir })`. */
export const upload: Plugin<UploadOptionsInput, UploadHandle> = definePlugin(
  "upload",
  (ctx: PluginContext, options: UploadOptionsInput): UploadHandle => {
    const opts = parseOptions(uploadOptionsSchema, options, "upload options");
    const client = ctx.client;
    const active = new Set<AbortController>();
    let stopped = false;
    let service: Promise<UploadService | undefined> | undefined;
    const ciphers: MediaCipher[] = [];
    const cipher = (kind: "encrypt" | "decrypt") => ciphers.findLast((c) => c[kind] !== undefined);

    ctx.disco.addFeature(NS_OOB);
    ctx.client.on("online", ({ resumed }) => {
      // A new session may be on another server build or configuration; a resumed one is the same.
      if (!resumed) service = undefined;
    });
    ctx.inbound.use("parse", (c) => {
      if (!c.message) return;
      const attachments = detectAttachments(c.stanza, c.message.body);
      if (attachments.length > 0) c.message.attachments = attachments;
    });

    const ensureRunning = () => {
      if (stopped) throw new ClawXmppError("stopped", "the upload plugin was stopped");
    };

    const withDeadline = async <T>(
      ms: number,
      what: string,
      run: (signal: AbortSignal) => Promise<T>,
    ): Promise<T> => {
      const controller = new AbortController();
      active.add(controller);
      const cancel = ctx.clock.setTimeout(
        () =>
          controller.abort(new UploadError("timeout", `${what} did not finish within ${ms} ms`)),
        ms,
      );
      try {
        return await run(controller.signal);
      } catch (error) {
        throw transferError(error, controller.signal, what);
      } finally {
        cancel();
        active.delete(controller);
      }
    };

    const findService = async (): Promise<UploadService> => {
      ensureRunning();
      if (!service) {
        const pending = discoverUploadService(ctx.iq, client.account.domain, opts.iqTimeout);
        service = pending;
        pending.catch(() => {
          if (service === pending) service = undefined;
        });
      }
      const found = await service;
      if (!found) {
        throw new UploadError(
          "no-service",
          `${client.account.domain} offers no HTTP file upload service (XEP-0363)`,
        );
      }
      return found;
    };

    const requestSlot = async (
      jid: string,
      file: { name: string; size: number; contentType: string },
    ): Promise<UploadSlot> => {
      try {
        const result = await ctx.iq.get(slotRequest(file), jid, { timeout: opts.iqTimeout });
        return parseSlot(result, opts.allowInsecureHttp);
      } catch (error) {
        throw error instanceof UploadError ? error : slotError(error);
      }
    };

    const doUpload = async (
      source: UploadSource,
      fileOptions: UploadFileOptions = {},
    ): Promise<UploadResult> => {
      ensureRunning();
      const prepared = await prepareSource(source, fileOptions, opts.roots);
      try {
        const found = await findService();
        if (found.maxFileSize !== undefined && prepared.size > found.maxFileSize) {
          throw new UploadError(
            "too-large",
            `the file is ${prepared.size} bytes; ${found.jid} accepts at most ${found.maxFileSize}`,
          );
        }
        const slot = await requestSlot(found.jid, prepared);
        await withDeadline(opts.uploadTimeout, "upload", (signal) =>
          putFile(slot, prepared, signal, fileOptions.onProgress),
        );
        return {
          url: slot.get.href,
          name: prepared.name,
          size: prepared.size,
          contentType: prepared.contentType,
        };
      } finally {
        await prepared.close();
      }
    };

    const uploadEncrypted = async (
      source: UploadSource,
      fileOptions: UploadFileOptions,
    ): Promise<UploadResult> => {
      const encryptor = cipher("encrypt");
      if (!encryptor?.encrypt) {
        throw new UploadError(
          "encrypted",
          "no media cipher is registered (useCipher); encrypted files need an encryption plugin",
        );
      }
      const prepared = await prepareSource(source, fileOptions, opts.roots);
      let plaintext: Uint8Array;
      try {
        plaintext = new Uint8Array(await new Response(prepared.body()).arrayBuffer());
      } finally {
        await prepared.close();
      }
      const media: EncryptedMedia = await encryptor.encrypt(plaintext);
      const { onProgress, ...rest } = fileOptions;
      const uploaded = await doUpload(media.data, {
        ...rest,
        name: prepared.name,
        contentType: "application/octet-stream",
        ...(onProgress ? { onProgress } : {}),
      });
      const https = new URL(uploaded.url);
      const url = `${media.scheme ?? "aesgcm"}://${https.host}${https.pathname}${https.search}#${media.fragment}`;
      return { ...uploaded, url, contentType: prepared.contentType, size: prepared.size };
    };

    return {
      service: findService,
      upload: doUpload,
      async sendFile(to, source, sendOptions = {}) {
        const type = sendOptions.type ?? "chat";
        let result: UploadResult;
        if (sendOptions.encrypted === true) {
          result = await uploadEncrypted(source, sendOptions);
        } else {
          result = await doUpload(source, sendOptions);
        }
        // The cipher that encrypted the file also says how to send what shares it.
        const protect = (message: OutgoingMessage): OutgoingMessage =>
          sendOptions.encrypted === true
            ? (cipher("encrypt")?.protect?.(message) ?? message)
            : message;
        if (sendOptions.body) await client.send(protect({ to, type, body: sendOptions.body }));
        const { id } = await client.send(
          protect(linkMessage(to, result.url, { type, description: sendOptions.body })),
        );
        return { ...result, id };
      },
      useCipher(registered) {
        ciphers.push(registered);
        return () => {
          const index = ciphers.indexOf(registered);
          if (index !== -1) ciphers.splice(index, 1);
        };
      },
      async download(attachment) {
        ensureRunning();
        const dir = opts.downloadDir;
        if (!dir) {
          throw new ConfigError("upload options.downloadDir is needed to download files", [
            { field: "upload options.downloadDir", message: "required for download()" },
          ]);
        }
        return withDeadline(opts.downloadTimeout, "download", (signal) =>
          downloadAttachment(
            attachment,
            {
              dir,
              maxBytes: opts.maxDownloadBytes,
              decrypt: cipher("decrypt")?.decrypt ?? opts.decrypt,
              allowPrivateAddresses: opts.allowPrivateAddresses,
              allowCrossHostRedirects: opts.allowCrossHostRedirects,
              maxRedirects: opts.maxRedirects,
              resolver: opts.resolver ?? systemResolver,
            },
            signal,
          ),
        );
      },
      stop() {
        if (stopped) return;
        stopped = true;
        service = undefined;
        for (const controller of active) {
          controller.abort(new UploadError("aborted", "the upload plugin was stopped"));
        }
        active.clear();
      },
    };
  },
);
