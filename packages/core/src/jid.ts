/**
 * JID parsing and normalisation, RFC 7622 as far as practical without a full
 * PRECIS implementation: the local part is NFKC + lower-cased (UsernameCaseMapped),
 * the domain goes through IDNA (UTS #46) to its lower-case Unicode form, and the
 * resource is kept exactly as given. Every package compares identities through
 * this one function, so `Alice@Example.COM` and `alice@example.com` are one user.
 */
import { domainToUnicode } from "node:url";
import { ClawXmppError } from "./errors.js";

/** A parsed, normalised JID. */
export interface Jid {
  readonly local: string | undefined;
  readonly domain: string;
  readonly resource: string | undefined;
  /** `local@domain` (or `domain`), normalised. */
  readonly bare: string;
  /** The bare JID plus `/resource` when there is one. */
  readonly full: string;
}

/** A string that is not a valid JID; `reason` says which part and why. */
export class JidError extends ClawXmppError {
  readonly input: string;
  constructor(input: string, reason: string) {
    super("jid", `invalid JID ${JSON.stringify(truncate(input))}: ${reason}`);
    this.name = "JidError";
    this.input = input;
  }
}

const FORBIDDEN_LOCAL = /["&'/:<>@\s]/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we reject
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const MAX_PART_BYTES = 1023;

/** Parses and normalises a JID; throws {@link JidError} on anything invalid. */
export function parseJid(input: string): Jid {
  if (typeof input !== "string") throw new JidError(String(input), "not a string");
  const slash = input.indexOf("/");
  const head = slash === -1 ? input : input.slice(0, slash);
  const resource = slash === -1 ? undefined : input.slice(slash + 1);
  const at = head.indexOf("@");
  const rawLocal = at === -1 ? undefined : head.slice(0, at);
  const rawDomain = at === -1 ? head : head.slice(at + 1);

  const local = rawLocal === undefined ? undefined : normaliseLocal(input, rawLocal);
  const domain = normaliseDomain(input, rawDomain);
  if (resource !== undefined) checkResource(input, resource);

  const bare = local === undefined ? domain : `${local}@${domain}`;
  const full = resource === undefined ? bare : `${bare}/${resource}`;
  return Object.freeze({ local, domain, resource, bare, full });
}

/** Like {@link parseJid} but returns `undefined` instead of throwing. */
export function tryParseJid(input: string | undefined | null): Jid | undefined {
  if (typeof input !== "string") return undefined;
  try {
    return parseJid(input);
  } catch {
    return undefined;
  }
}

/** The normalised bare JID of `input`; throws {@link JidError} when invalid. */
export function bareJid(input: string): string {
  return parseJid(input).bare;
}

/** True when both strings are valid JIDs with the same normalised bare part. */
export function sameBareJid(a: string | undefined, b: string | undefined): boolean {
  const ja = tryParseJid(a);
  const jb = tryParseJid(b);
  return ja !== undefined && jb !== undefined && ja.bare === jb.bare;
}

function normaliseLocal(input: string, raw: string): string {
  if (raw.length === 0) throw new JidError(input, "empty local part before '@'");
  const local = raw.normalize("NFKC").toLowerCase();
  if (FORBIDDEN_LOCAL.test(local) || CONTROL.test(local)) {
    throw new JidError(
      input,
      "local part contains a forbidden character (\" & ' / : < > @ or space)",
    );
  }
  if (byteLength(local) > MAX_PART_BYTES)
    throw new JidError(input, "local part longer than 1023 bytes");
  return local;
}

function normaliseDomain(input: string, raw: string): string {
  const trimmed = raw.endsWith(".") ? raw.slice(0, -1) : raw;
  if (trimmed.length === 0) throw new JidError(input, "empty domain");
  if (trimmed.startsWith("[")) {
    if (!/^\[[0-9a-f:.]+\]$/iu.test(trimmed)) throw new JidError(input, "malformed IPv6 literal");
    return trimmed.toLowerCase();
  }
  // `%` would be percent-decoded by URL host parsing (ex%41mple → example): never valid in a JID domain.
  if (CONTROL.test(trimmed) || /[\s@/%\\]/u.test(trimmed)) {
    throw new JidError(input, "domain contains a forbidden character");
  }
  // Label by label, so URL host rules (IPv4 shorthand such as 0x7f.1 or 2130706433) never apply.
  const domain = trimmed
    .normalize("NFC")
    .split(".")
    .map((label) => normaliseLabel(input, label))
    .join(".");
  if (byteLength(domain) > MAX_PART_BYTES)
    throw new JidError(input, "domain longer than 1023 bytes");
  return domain;
}

function normaliseLabel(input: string, label: string): string {
  if (label.length === 0) throw new JidError(input, "domain has an empty label");
  if (/^[\x21-\x7e]+$/u.test(label) && !/^xn--/iu.test(label)) {
    const ascii = label.toLowerCase();
    if (!/^[a-z0-9_-]+$/u.test(ascii))
      throw new JidError(input, "domain contains a forbidden character");
    if (ascii.length > 63) throw new JidError(input, "domain label longer than 63 characters");
    return ascii;
  }
  // Internationalised or A-label: IDNA (UTS #46) to the lower-case Unicode form, one label at a time.
  const unicode = domainToUnicode(`${label}.invalid`);
  if (!unicode.endsWith(".invalid") || unicode.length <= ".invalid".length) {
    throw new JidError(input, "domain is not a valid (internationalised) host name");
  }
  const result = unicode.slice(0, -".invalid".length);
  if (result.includes(".") || result.length > 63)
    throw new JidError(input, "domain label is not valid");
  return result;
}

function checkResource(input: string, resource: string): void {
  if (resource.length === 0) throw new JidError(input, "empty resource after '/'");
  if (CONTROL.test(resource)) throw new JidError(input, "resource contains a control character");
  if (byteLength(resource) > MAX_PART_BYTES)
    throw new JidError(input, "resource longer than 1023 bytes");
}

function byteLength(value: string): number {
  return Buffer.byteLength(value, "utf8");
}

function truncate(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}
