import { createClient } from "@clawxmpp/core";
import { ProfileError, profile } from "@clawxmpp/profile";
import { pubsub } from "@clawxmpp/pubsub";

const client = createClient({ jid: "bot@example.org", password: "…" });
client.use(pubsub, {}); // profile requires it: use it first
const me = client.use(profile, { watch: ["avatar", "nickname"] });

me.on("avatar", ({ jid, id, source }) => {
  console.log(jid, "has a new avatar", id, "from", source);
  // XEP-0084, vCard fallback; size-bounded, hash-checked (a mismatch rejects with a ProfileError).
  me.fetchAvatar(jid).then(
    (avatar) => avatar && console.log(avatar.type, avatar.width, avatar.height, avatar.data.length),
    (error: unknown) => console.warn("unusable avatar from", jid, error),
  );
});
me.on("nickname", ({ jid, nickname }) => console.log(jid, "calls themselves", nickname));

await client.start();

try {
  // PNG or JPEG bytes, or a file path; skipped when our metadata already announces this image.
  const published = await me.publishAvatar("./avatar.png");
  console.log("avatar", published.id, published.changed ? "published" : "unchanged");
} catch (error) {
  if (error instanceof ProfileError && error.reason === "too-large") console.error(error.message);
  else throw error;
}
await me.publishNickname("Claw");
await me.publishMood("curious", "reading XEPs");
