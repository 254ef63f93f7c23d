/**
 * The bot's avatar from the `avatar` key (a PNG/JPEG file path): published on
 * the account's first session through `@clawxmpp/profile` (XEP-0084 data and
 * metadata nodes, XEP-0153 vCard photo and presence hash). The id (SHA-1) of
 * the last published image is kept in the account's state directory
 * (`avatar.json`), so a restart with the same file asks and sends nothing but
 * the hash in presence; a changed file is published again.
 */
import { ClawXmppError, type Client, type Logger } from "@clawxmpp/core";
import { profile } from "@clawxmpp/profile";
import { pubsub } from "@clawxmpp/pubsub";
import type { StateStore } from "./state-store.js";

const NAME = "avatar";

/** Why publishing can be tried again on the next session: the connection, not the image. */
const RETRYABLE = new Set(["timeout", "unavailable"]);

/**
 * Loads the profile plugins on `client` (before `start()`) and publishes `path` once per process,
 * on the first session where it succeeds. Failures are logged, never thrown.
 */
export function publishAvatarOnStart(
  client: Client,
  path: string,
  store: StateStore,
  logger: Logger,
): void {
  client.use(pubsub, {});
  const me = client.use(profile, {});
  let state: "waiting" | "running" | "done" = "waiting";
  client.on("online", () => {
    if (state !== "waiting") return;
    state = "running";
    void publish().then((settled) => {
      state = settled ? "done" : "waiting";
    });
  });

  /** True when finished for this process (published, unchanged, or an error retrying cannot fix). */
  async function publish(): Promise<boolean> {
    let remembered: string | undefined;
    try {
      const value = await store.read<{ id?: unknown } | null>(NAME, null);
      if (typeof value?.id === "string" && /^[0-9a-f]{40}$/u.test(value.id)) remembered = value.id;
    } catch (error) {
      logger.warn("avatar state unreadable; publishing again", { error });
    }
    try {
      const published = await me.publishAvatar(path, { published: remembered });
      if (published.id === remembered) {
        logger.debug("avatar unchanged since it was last published", { id: published.id });
        return true;
      }
      await store
        .write(NAME, { id: published.id, publishedAt: new Date().toISOString() })
        .catch((error: unknown) => logger.warn("could not remember the avatar", { error }));
      logger.info("avatar published", { id: published.id, path });
      return true;
    } catch (error) {
      const retry = ClawXmppError.isInstance(error) && RETRYABLE.has(error.code);
      logger.warn(`avatar ${path} not published${retry ? "; retrying next session" : ""}`, {
        error,
      });
      return !retry;
    }
  }
}
