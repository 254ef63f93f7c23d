import { createClient } from "@clawxmpp/core";
import { muc } from "@clawxmpp/muc";
import { omemo } from "@clawxmpp/omemo";
import { pubsub } from "@clawxmpp/pubsub";
import { upload } from "@clawxmpp/upload";

const client = createClient({ jid: "bot@example.org", password: "…" });
// OMEMO speaks PEP through pubsub; muc (rooms) and upload (aesgcm:// files) are used when present.
client.use(pubsub, {});
const rooms = client.use(muc, { nickname: "bot" });
const files = client.use(upload, { roots: ["/srv/bot/files"] });
const om = client.use(omemo, {
  store: "/var/lib/bot/omemo.json", // identity, sessions, prekeys, trust (atomic, 0600)
  trust: "btbv", // or "manual" (only verified devices), "always" (tests only)
  // Verified by the operator, as clients show them (8 groups of 8 hex characters).
  trustedFingerprints: ["4f2a8c01 9b3e5d77 0c1a2b3c 4d5e6f70 8192a3b4 c5d6e7f8 09a1b2c3 d4e5f607"],
  requireEncryption: true, // no plaintext to or from contacts who have OMEMO
});

om.on("identity", (device) => {
  console.log(`${device.jid} device ${device.deviceId}: ${device.fingerprint} (${device.trust})`);
});
om.on("deviceAdded", ({ jid, deviceId, own }) => {
  if (own) console.log(`a new device ${deviceId} of our own account appeared`);
  else console.log(`${jid} added device ${deviceId}`);
});
om.on("undecryptable", ({ from, condition, reason }) => console.warn(from, condition, reason));

client.on("message", async (message) => {
  if (!message.omemo) return; // it came in plaintext
  console.log(`${message.omemo.jid} (device ${message.omemo.deviceId}): ${message.body}`);
  // Reply encrypted: to the room if it came from one, else to the sender.
  if (message.muc) await om.sendEncrypted(message.muc.room, "got it", { type: "groupchat" });
  else await om.sendEncrypted(message.from.bare, "got it");
});

await client.start();
const me = await om.identity();
console.log(`OMEMO device ${me.deviceId}, fingerprint ${me.display}`);
await rooms.join("team@conference.example.org"); // a non-anonymous room
// Encrypted media: the aesgcm:// link (XEP-0454) only ever leaves through OMEMO.
await files.sendFile("alice@example.org", "/srv/bot/files/report.pdf", { encrypted: true });
