/**
 * The `profile` plugin: avatars (XEP-0084 with XEP-0153 alongside),
 * nickname (XEP-0172) and mood (XEP-0107), all PEP through the
 * `@clawxmpp/pubsub` handle, which arrives as `ctx.deps.pubsub`.
 */
import { definePlugin, Emitter, type Plugin, parseOptions, xml } from "@clawxmpp/core";
import { type PubsubHandle, pubsub } from "@clawxmpp/pubsub";
import { latestPayload } from "./absent.js";
import { describeImage, loadImage } from "./avatar-bytes.js";
import { contactJid, fetchAvatar } from "./avatar-fetch.js";
import { publishAvatarNodes, readAvatarMetadata } from "./avatar-pep.js";
import { moodPayload, readMood } from "./mood.js";
import { NS_AVATAR_METADATA, NS_MOOD, NS_NICK } from "./namespaces.js";
import { nickPayload, readNick } from "./nickname.js";
import { PresencePhoto } from "./presence-photo.js";
import type { ProfileHandle } from "./profile-handle.js";
import {
  type ProfileOptionsInput,
  profileOptionsSchema,
  type Watchable,
} from "./profile-options.js";
import type { ProfileEvents } from "./profile-types.js";
import { setVcardPhoto } from "./vcard.js";

const NODES: Record<Watchable, string> = {
  avatar: NS_AVATAR_METADATA,
  nickname: NS_NICK,
  mood: NS_MOOD,
};

/** Avatars, nickname and mood over `@clawxmpp/pubsub`. */
export const profile: Plugin<
  ProfileOptionsInput,
  ProfileHandle,
  { readonly pubsub: PubsubHandle }
> = definePlugin({
  name: "profile",
  requires: { pubsub },
  setup(ctx, input: ProfileOptionsInput): ProfileHandle {
    const opts = parseOptions(profileOptionsSchema, input, "profile options");
    const ps = ctx.deps.pubsub;
    const events = new Emitter<ProfileEvents>((error, event) =>
      ctx.logger.error(`profile listener for "${event}" threw`, { error }),
    );
    const photo = new PresencePhoto(opts.maxKnownHashes);
    const publishOptions = { id: "current", options: { access_model: opts.accessModel } };
    const bareOf = (jid: string | undefined) => (jid === undefined ? undefined : contactJid(jid));

    /** XEP-0153 is a courtesy next to XEP-0084: a server without vCard support does not stop us. */
    const updateVcard = async (image: { bytes: Uint8Array; type: string } | undefined) => {
      if (!opts.vcard) return;
      await setVcardPhoto(ctx.iq, image).catch((error: unknown) =>
        ctx.logger.warn("could not update the vCard photo (XEP-0153)", { error }),
      );
    };
    /** Puts `hash` ("" for none) in our presences from now on, and sends one if it changed. */
    const announce = async (hash: string) => {
      if (!opts.vcard || photo.ours === hash) return;
      photo.ours = hash;
      if (ctx.client.status === "online") await ctx.client.sendPresence();
    };
    const watch = (what: Watchable) => ps.notify(NODES[what]);
    for (const what of opts.watch) ctx.onStop(watch(what));

    ctx.onStop(
      ps.onNode(NS_AVATAR_METADATA, (e) => {
        if (e.type !== "item" || !e.pep) return;
        const info = readAvatarMetadata(e.payload);
        events.emit("avatar", { jid: e.service, id: info?.id, info, source: "pep" });
      }),
    );
    ctx.onStop(
      ps.onNode(NS_NICK, (e) => {
        if (!e.pep) return;
        const nickname = e.type === "item" ? readNick(e.payload) : undefined;
        events.emit("nickname", { jid: e.service, nickname });
      }),
    );
    ctx.onStop(
      ps.onNode(NS_MOOD, (e) => {
        if (!e.pep) return;
        events.emit("mood", {
          jid: e.service,
          mood: e.type === "item" ? readMood(e.payload) : undefined,
        });
      }),
    );

    if (opts.vcard) ctx.outbound.use("build", (c) => photo.decorate(c));
    ctx.inbound.use("parse", (c) => {
      const change = c.presence && photo.observe(c.presence);
      if (change) events.emit("avatar", { ...change, info: undefined, source: "presence" });
    });

    return {
      on: events.on.bind(events),
      once: events.once.bind(events),
      off: events.off.bind(events),
      async publishAvatar(image, options = {}) {
        const bytes = await loadImage(image, opts.maxAvatarBytes);
        const info = describeImage(bytes, opts.maxAvatarPixels);
        if (options.published === info.id && !options.force) {
          await announce(info.id);
          return { ...info, changed: false };
        }
        const current = options.force
          ? undefined
          : readAvatarMetadata(await latestPayload(ps, NS_AVATAR_METADATA, undefined));
        const changed = current?.id !== info.id;
        if (changed) {
          // vCard first: servers mapping vCard to PEP (Prosody's mod_vcard_legacy) republish the
          // avatar from it without dimensions; our metadata, published last, is the one that stays.
          await updateVcard({ bytes, type: info.type });
          await publishAvatarNodes(ps, bytes, info, opts.accessModel);
        }
        await announce(info.id);
        return { ...info, changed };
      },
      async removeAvatar() {
        await updateVcard(undefined);
        // XEP-0084 § 4.5: empty metadata means "no avatar".
        await ps.publish(NS_AVATAR_METADATA, xml("metadata", { xmlns: NS_AVATAR_METADATA }), {
          options: { access_model: opts.accessModel },
        });
        await announce("");
      },
      fetchAvatar: (jid) =>
        fetchAvatar(
          {
            ps,
            iq: ctx.iq,
            maxBytes: opts.maxFetchBytes,
            announced: (bare) => photo.announced(bare),
          },
          jid,
        ),
      async publishNickname(nickname) {
        await ps.publish(NS_NICK, nickPayload(nickname), publishOptions);
      },
      fetchNickname: async (jid) => readNick(await latestPayload(ps, NS_NICK, bareOf(jid))),
      async publishMood(mood, text) {
        await ps.publish(NS_MOOD, moodPayload(mood, text), publishOptions);
      },
      fetchMood: async (jid) => readMood(await latestPayload(ps, NS_MOOD, bareOf(jid))),
      watch,
      stop() {
        events.clear();
      },
    };
  },
});
