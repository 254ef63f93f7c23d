/**
 * The demo's behaviour, composed from the kit on one client:
 * - @clawxmpp/policy decides every DM (owners echoed, strangers get a pairing code, logged for the
 *   operator) and every room invitation (only owners' invitations are followed);
 * - @clawxmpp/muc joins the rooms owners invite it to and answers mentions there;
 * - @clawxmpp/markers echoes a correction (XEP-0308) as a correction of our echo, and answers a
 *   reaction (XEP-0444) with the same reaction;
 * - @clawxmpp/upload downloads a file someone sends and sends it back as a file (XEP-0363 + OOB).
 * Our own carbons, history, our own room echoes and body-less signals are never answered.
 */
import { randomUUID } from "node:crypto";
import type { Client, InboundMessage } from "@clawxmpp/core";
import { type MarkersHandle, markers } from "@clawxmpp/markers";
import { type MucHandle, muc } from "@clawxmpp/muc";
import { type PolicyHandle, policy } from "@clawxmpp/policy";
import { type UploadHandle, upload } from "@clawxmpp/upload";

/** What the demo needs to know about its account and server. */
export interface DemoBotOptions {
  /** Owners' bare JIDs: always echoed; the only inviters whose rooms are joined. */
  owners: string[];
  /** The JSON pairing store (approvals survive restarts). */
  storePath: string;
  /** Where received files are saved before being sent back. */
  downloadDir: string;
  /** Nickname in rooms. */
  nickname: string;
  /** Store reload period in ms, so CLI approvals are noticed. */
  pollInterval: number;
  /** Only for the embedded loopback server: upload over http:// and download from 127.0.0.1. */
  loopbackUploads: boolean;
  /** One line per thing the operator should see. */
  log: (line: string) => void;
}

/** The handles, for tests and the banner. */
export interface DemoBot {
  access: PolicyHandle;
  rooms: MucHandle;
  signals: MarkersHandle;
  files: UploadHandle;
}

/** Our echoes of a peer's messages remembered for corrections (their id → our id), bounded. */
const MAX_REMEMBERED = 500;

/** Registers the plugins on `client` (before `start()`) and wires the behaviour. */
export function startDemoBot(client: Client, options: DemoBotOptions): DemoBot {
  const { log } = options;
  // muc first: policy and the handlers below read `message.muc`.
  const rooms = client.use(muc, { nickname: options.nickname });
  const signals = client.use(markers, {});
  const files = client.use(upload, {
    roots: [options.downloadDir],
    downloadDir: options.downloadDir,
    ...(options.loopbackUploads ? { allowInsecureHttp: true, allowPrivateAddresses: true } : {}),
  });
  const access = client.use(policy, {
    allowFrom: options.owners,
    storePath: options.storePath,
    pollInterval: options.pollInterval,
    // Rooms are vetted by whom the bot follows there (owners only); in them, anyone who
    // mentions the bot gets an answer.
    groupPolicy: "open",
    groupSettings: { "*": { requireMention: true } },
    // Someone trying every behaviour in a minute sends more than the default 5-message burst.
    rateLimit: { capacity: 20, refillPerMinute: 60, maxSenders: 10_000 },
  });
  const echoes = new Map<string, string>();
  const remember = (theirs: string | undefined, ours: string) => {
    if (theirs === undefined) return;
    echoes.set(theirs, ours);
    if (echoes.size > MAX_REMEMBERED) echoes.delete(echoes.keys().next().value ?? "");
  };
  const safely = (what: string, work: () => Promise<void>) =>
    void work().catch((error: unknown) =>
      log(`${what} failed: ${error instanceof Error ? error.message : String(error)}`),
    );

  access.on("approved", ({ jid }) => log(`pairing approved: ${jid} is now echoed`));

  rooms.on("invite", ({ from, room, password, kind }) => {
    const decision = access.decide({ kind: "invite", inviter: from, room });
    log(`${kind} invitation to ${room} from ${from ?? "an unknown inviter"}: ${decision.reason}`);
    if (decision.action !== "allow") return;
    safely(`joining ${room}`, async () => {
      const info = await rooms.join(room, password === undefined ? {} : { password });
      log(`joined ${info.jid} as ${info.nickname}; mention ${info.nickname} there to be answered`);
    });
  });

  signals.on("reaction", ({ from, conversation, type, targetId, emojis, message }) => {
    if (message.outgoing || type === "groupchat") return;
    safely("answering a reaction", async () => {
      if ((await access.admitDm(from.full)).action !== "allow") return;
      await signals.react(conversation, targetId, emojis, { type: "chat" });
      log(`answered ${from.bare}'s reaction ${emojis.join("") || "(removed)"} in kind`);
    });
  });

  client.on("message", (message: InboundMessage) => {
    if (message.outgoing || message.via === "archive") return;
    const info = message.markers;
    if (info?.signalOnly) return;
    if (message.muc) {
      onRoomMessage(message);
      return;
    }
    if (message.type !== "chat" && message.type !== "normal") return;
    const text = info?.bodyWithoutFallback ?? message.body;
    const attachments = message.attachments ?? [];
    if ((text === undefined || text.trim() === "") && attachments.length === 0) return;
    safely(`answering ${message.from.bare}`, async () => {
      const admission = await access.admitDm(message.from.full);
      if (admission.action !== "allow") {
        const pairing = admission.pairing;
        if (pairing?.status === "created" || pairing?.status === "pending")
          log(
            `pairing code for ${pairing.jid}: ${pairing.code} (approve it with the command above)`,
          );
        else log(`not answering ${message.from.bare}: ${admission.reason}`);
        return;
      }
      const to = message.from.full;
      if (attachments.length > 0) {
        for (const attachment of attachments) {
          const file = await files.download(attachment);
          await files.sendFile(to, file.path, { name: file.originalName });
          log(`sent ${message.from.bare}'s file ${file.originalName} (${file.size} bytes) back`);
        }
        return;
      }
      const replaces = info?.correction?.replaces;
      const ours = replaces === undefined ? undefined : echoes.get(replaces);
      if (ours !== undefined && text !== undefined) {
        // XEP-0308 §5: a correction of a correction still names the original message.
        remember(message.id, ours);
        await signals.correct(to, ours, text, { type: "chat" });
        log(`corrected our echo to ${message.from.bare}`);
        return;
      }
      // Remembered before sending: the peer can correct as soon as the echo arrives, which may
      // be before the server's acknowledgement resolves `send()`.
      const id = randomUUID();
      remember(message.id, id);
      await client.send({ id, to, type: "chat", body: text ?? "" });
      log(`echoed to ${message.from.bare}`);
    });
  });

  function onRoomMessage(message: InboundMessage): void {
    const room = message.muc;
    if (!room || room.isHistory || room.isOwn || room.isPrivate || !room.mentioned) return;
    const decision = access.check({
      kind: "group",
      room: room.room,
      realJid: room.realJid,
      mentioned: room.mentioned,
    });
    if (decision.action !== "allow") {
      log(`not answering ${room.nick} in ${room.room}: ${decision.reason}`);
      return;
    }
    safely(`answering in ${room.room}`, async () => {
      await rooms.sendToRoom(room.room, `${room.nick}: ${message.body ?? ""}`);
      log(`answered ${room.nick} in ${room.room}`);
    });
  }

  return { access, rooms, signals, files };
}
