import type { Client } from "@clawxmpp/core";
import { xml } from "@clawxmpp/core";
// Brings the `omemo` fields of messages into scope (the plugin is `use`d as above).
import "@clawxmpp/omemo";

declare const client: Client;

// An encrypted reaction: OMEMO 2 devices get it inside the SCE envelope.
await client.send({
  to: "alice@example.org",
  omemo: true,
  children: [
    xml("reactions", { xmlns: "urn:xmpp:reactions:0", id: "msg-1" }, xml("reaction", {}, "👍")),
  ],
});

client.on("message", (message) => {
  if (message.omemo?.version === 2) {
    const reactions = message.stanza.getChild("reactions", "urn:xmpp:reactions:0");
    if (reactions) console.log(`${message.omemo.jid} reacted to ${reactions.attrs.id}`);
  }
});
