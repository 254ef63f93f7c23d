/**
 * The `threading` adapter: OpenClaw asks which reply mode applies to a chat
 * type and strips `replyToId` from reply payloads accordingly (`off`, only the
 * `first` payload of an answer, or `all`); whatever keeps its `replyToId` is
 * sent as an XEP-0461 reply with an XEP-0428 quote fallback (`reply-delivery.ts`).
 * XEP-0201 threads are not a reply mode: an answer always stays in the thread
 * of the message it answers.
 */
import { type ReplyToMode, tryResolveAccount } from "./accounts.js";
import type { OpenClawConfig } from "./openclaw-types.js";

/** Parameters of `resolveReplyToMode`. */
export interface ReplyToModeParams {
  cfg: OpenClawConfig;
  accountId?: string | null;
  chatType?: string | null;
}

/** The reply mode of an account for a chat type; `off` when the config cannot be read. */
export function resolveXmppReplyToMode(params: ReplyToModeParams): ReplyToMode {
  const account = tryResolveAccount(params.cfg, params.accountId);
  if (account === undefined) return "off";
  return params.chatType === "direct" ? account.replyToMode.direct : account.replyToMode.group;
}

/** The `threading` adapter. */
export const xmppThreading = {
  resolveReplyToMode: resolveXmppReplyToMode,
};

/** An XEP-0201 thread id worth echoing: short, printable. */
export function replyThread(thread: string | undefined): string | undefined {
  if (thread === undefined) return undefined;
  const trimmed = thread.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are rejected on purpose
  if (trimmed === "" || trimmed.length > 256 || /[\u0000-\u001f]/u.test(trimmed)) return undefined;
  return trimmed;
}
