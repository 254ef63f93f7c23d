/**
 * The texts a stranger and a newly paired contact receive. Kept free of any
 * internal detail: the sender learns the code and what to do, nothing else.
 */

/** Text sent to a sender who must pair. `{code}` and `{minutes}` are filled in. */
export const DEFAULT_PAIRING_REPLY =
  "Hi! This bot only talks to approved contacts. Your pairing code is {code} " +
  "(valid for {minutes} minutes). Ask the bot's owner to approve it, e.g. with: pairing approve {code}";

/** Text sent once a JID has been approved. */
export const DEFAULT_GREETING = "You have been approved. Hello! You can talk to me now.";

/** Text sent once to a sender whose messages the rate limit starts dropping. */
export const DEFAULT_RATE_LIMIT_REPLY =
  "You are sending messages faster than I can take them; I am ignoring some. Please wait a minute.";

/** Fills `{code}` and `{minutes}` in a template. */
export function formatPairingReply(
  template: string,
  code: string,
  expiresAt: number,
  now: number,
): string {
  const minutes = String(Math.max(1, Math.round((expiresAt - now) / 60_000)));
  return template.replaceAll("{code}", code).replaceAll("{minutes}", minutes);
}
