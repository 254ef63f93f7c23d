/**
 * Finding the upload service, XEP-0363 §3: disco#items on the account's
 * server, then disco#info on each item, looking for the identity
 * store/file and the feature urn:xmpp:http:upload:0. The size limit is the
 * `max-file-size` field of the XEP-0128 extended-info form (§3, example 2).
 */
import { type Element, type IqCaller, xml } from "@clawxmpp/core";

/** The XEP-0363 namespace. */
export const NS_UPLOAD = "urn:xmpp:http:upload:0";
const NS_ITEMS = "http://jabber.org/protocol/disco#items";
const NS_INFO = "http://jabber.org/protocol/disco#info";
const NS_DATA = "jabber:x:data";
/** Disco items looked at, at most: a hostile or odd server cannot make us send thousands of IQs. */
const MAX_ITEMS = 32;

/** A discovered upload service. */
export interface UploadService {
  /** The service's JID, e.g. `upload.example.org`. */
  jid: string;
  /** Largest file it accepts, in bytes; `undefined` when it announces no limit. */
  maxFileSize: number | undefined;
}

/** True when a disco#info result describes an XEP-0363 service. */
export function isUploadService(query: Element): boolean {
  const identity = query
    .getChildren("identity")
    .some((i) => i.attrs.category === "store" && i.attrs.type === "file");
  const feature = query.getChildren("feature").some((f) => f.attrs.var === NS_UPLOAD);
  return identity && feature;
}

/** The `max-file-size` of the service's XEP-0128 form, if it announces one. */
export function parseMaxFileSize(query: Element): number | undefined {
  for (const form of query.getChildren("x", NS_DATA)) {
    const fields = form.getChildren("field");
    const formType = fields.find((f) => f.attrs.var === "FORM_TYPE")?.getChildText("value");
    if (formType?.trim() !== NS_UPLOAD) continue;
    const raw = fields.find((f) => f.attrs.var === "max-file-size")?.getChildText("value");
    const size = raw === null || raw === undefined ? Number.NaN : Number(raw.trim());
    if (Number.isSafeInteger(size) && size > 0) return size;
  }
  return undefined;
}

/** Looks for the upload service of `domain`; `undefined` when there is none. */
export async function discoverUploadService(
  iq: IqCaller,
  domain: string,
  timeout: number,
): Promise<UploadService | undefined> {
  const info = (jid: string) =>
    iq
      .get(xml("query", { xmlns: NS_INFO }), jid, { timeout })
      .then((result) => result.getChild("query", NS_INFO))
      .catch(() => undefined);
  const items = await iq
    .get(xml("query", { xmlns: NS_ITEMS }), domain, { timeout })
    .then((result) => result.getChild("query", NS_ITEMS)?.getChildren("item") ?? [])
    .catch(() => []);
  const jids = [
    ...new Set(items.map((item) => item.attrs.jid).filter((jid): jid is string => !!jid)),
  ].slice(0, MAX_ITEMS);
  // Items are queried in parallel; the first matching item in server order wins.
  const infos = await Promise.all(jids.map(info));
  for (const [index, query] of infos.entries()) {
    if (query && isUploadService(query)) {
      return { jid: jids[index]!, maxFileSize: parseMaxFileSize(query) };
    }
  }
  // Some servers host the service on the domain itself.
  const own = await info(domain);
  if (own && isUploadService(own)) return { jid: domain, maxFileSize: parseMaxFileSize(own) };
  return undefined;
}
