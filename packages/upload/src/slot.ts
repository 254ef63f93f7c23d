/**
 * Upload slots, XEP-0363 §4 (request), §5 (slot) and §6 (errors). Only the
 * headers §5 allows (Authorization, Cookie, Expires) are kept, with line
 * breaks refused, and the PUT/GET URLs must be https — plain http only for
 * a loopback host when explicitly allowed.
 */
import { type Element, isLoopbackHost, xml } from "@clawxmpp/core";
import { UploadError } from "./upload-error.js";
import { NS_UPLOAD } from "./upload-service.js";

/** A slot granted by the service. */
export interface UploadSlot {
  /** Where to PUT the file. */
  put: URL;
  /** Where the file is fetched from afterwards: the URL to share. */
  get: URL;
  /** The allowed headers to send with the PUT, by canonical name. */
  headers: Record<string, string>;
}

const ALLOWED_HEADERS = new Map([
  ["authorization", "Authorization"],
  ["cookie", "Cookie"],
  ["expires", "Expires"],
]);

/** The `<request/>` payload of a slot request (§4, example 4). */
export function slotRequest(file: { name: string; size: number; contentType: string }): Element {
  return xml("request", {
    xmlns: NS_UPLOAD,
    filename: file.name,
    size: file.size,
    "content-type": file.contentType,
  });
}

/** Parses and checks a slot result (§5, example 5); throws `UploadError` when unusable. */
export function parseSlot(result: Element, allowInsecureHttp: boolean): UploadSlot {
  const slot = result.getChild("slot", NS_UPLOAD);
  const putEl = slot?.getChild("put");
  const getEl = slot?.getChild("get");
  if (!slot || !putEl || !getEl) {
    throw new UploadError("slot-refused", "the upload service answered without a usable slot");
  }
  const put = checkedUrl(putEl.attrs.url, "PUT", allowInsecureHttp);
  const get = checkedUrl(getEl.attrs.url, "GET", allowInsecureHttp);
  const headers: Record<string, string> = {};
  for (const header of putEl.getChildren("header")) {
    const name = ALLOWED_HEADERS.get((header.attrs.name ?? "").toLowerCase());
    const value = header.text().trim();
    // §5: other headers MUST be ignored; a value with a line break could inject headers.
    if (!name || /[\r\n\0]/u.test(value)) continue;
    headers[name] = value;
  }
  return { put, get, headers };
}

/** The error a slot request failed with, translated (§6): size limit, quota, or anything else. */
export function slotError(error: unknown): UploadError {
  const stanza = (error as { element?: Element } | undefined)?.element;
  const payload = stanza?.getChild("error");
  const tooLarge = payload?.getChild("file-too-large", NS_UPLOAD);
  if (tooLarge) {
    const max = tooLarge.getChildText("max-file-size");
    return new UploadError(
      "too-large",
      `the upload service refused the file as too large${max ? ` (limit ${max} bytes)` : ""}`,
      { cause: error },
    );
  }
  const retry = payload?.getChild("retry", NS_UPLOAD)?.attrs.stamp;
  const detail = error instanceof Error ? error.message : String(error);
  return new UploadError(
    "slot-refused",
    `the upload service refused a slot: ${detail}${retry ? ` (retry after ${retry})` : ""}`,
    { cause: error },
  );
}

function checkedUrl(raw: string | undefined, what: string, allowInsecureHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw ?? "");
  } catch {
    throw new UploadError("insecure-url", `the slot's ${what} URL is not a valid URL`);
  }
  if (url.username || url.password) {
    throw new UploadError("insecure-url", `the slot's ${what} URL carries credentials`);
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && allowInsecureHttp && isLoopbackHost(url.hostname)) return url;
  throw new UploadError(
    "insecure-url",
    `the slot's ${what} URL ${url.protocol === "http:" ? "is plain http" : `uses ${url.protocol}`}; only https is accepted${
      url.protocol === "http:" ? " (http only for a loopback host with allowInsecureHttp)" : ""
    }`,
  );
}
