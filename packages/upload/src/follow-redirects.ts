/**
 * Redirects of a download, handled by hand: each hop's target is checked
 * again (scheme, DNS, addresses), a hop to another host is refused unless
 * allowed, https is never downgraded to http, and the number of hops is capped.
 */
import type { IncomingMessage } from "node:http";
import { httpGet } from "./http-get.js";
import { type Resolver, resolveTarget } from "./resolve-target.js";
import { UploadError } from "./upload-error.js";

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Redirect and address policy of a download. */
export interface FetchPolicy {
  allowPrivateAddresses: boolean;
  allowCrossHostRedirects: boolean;
  maxRedirects: number;
  resolver: Resolver;
}

/** GETs `url`, following allowed redirects; resolves with the final response and its URL. */
export async function getFollowingRedirects(
  url: URL,
  policy: FetchPolicy,
  signal: AbortSignal,
): Promise<{ response: IncomingMessage; url: URL }> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const target = await resolveTarget(current, policy);
    const response = await httpGet(target, signal);
    const status = response.statusCode ?? 0;
    if (!REDIRECTS.has(status)) return { response, url: current };
    response.destroy();
    if (hop >= policy.maxRedirects) {
      throw new UploadError("redirect", `more than ${policy.maxRedirects} redirects`, { status });
    }
    let next: URL;
    try {
      next = new URL(response.headers.location ?? "", current);
    } catch {
      throw new UploadError("redirect", "a redirect without a valid Location", { status });
    }
    if (!response.headers.location) {
      throw new UploadError("redirect", "a redirect without a Location", { status });
    }
    if (current.protocol === "https:" && next.protocol !== "https:") {
      throw new UploadError("redirect", `refusing a redirect from https to ${next.protocol}`, {
        status,
      });
    }
    if (next.host !== current.host && !policy.allowCrossHostRedirects) {
      throw new UploadError(
        "redirect",
        `refusing a redirect from ${current.host} to another host, ${next.host} (allowCrossHostRedirects is off)`,
        { status },
      );
    }
    current = next;
  }
}
