import {
  buildBundle,
  ensureOwnDevice,
  formatFingerprint,
  JsonFileOmemoStore,
  MemoryOmemoStore,
  OmemoSessions,
  ownBundle,
  parseBundle,
  parseEncrypted,
} from "@clawxmpp/omemo";

// Our device: id, identity key, signed prekey and 100 prekeys, created once and kept (0600, atomic).
const store = await JsonFileOmemoStore.open("/var/lib/bot/omemo.json");
const own = await ensureOwnDevice(store);
console.log(own.deviceId, formatFingerprint(own.identityKeyPair.publicKey));
// What to publish on PEP node `eu.siacs.conversations.axolotl.bundles:<deviceId>`.
console.log(buildBundle(await ownBundle(store)).toString());

// A second device, in memory, stands in for a contact here.
const aliceStore = new MemoryOmemoStore();
const aliceDevice = await ensureOwnDevice(aliceStore);
const alice = { jid: "alice@example.org", deviceId: aliceDevice.deviceId };

// Your trust policy decides; this one trusts every device (only for tests).
const sessions = await OmemoSessions.open(store, { isTrusted: () => true });
// The bundle as it would arrive from PEP, parsed and checked strictly.
await sessions.buildSession(alice, parseBundle(buildBundle(await ownBundle(aliceStore))));
const { element } = await sessions.encrypt([alice], "hello Alice");

const aliceSessions = await OmemoSessions.open(aliceStore);
const received = await aliceSessions.decrypt("bot@example.org", parseEncrypted(element));
console.log(received.plaintext, received.prekey); // "hello Alice" true
