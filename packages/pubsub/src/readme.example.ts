import { createClient, xml } from "@clawxmpp/core";
import { PubsubError, pubsub } from "@clawxmpp/pubsub";

const client = createClient({ jid: "bot@example.org", password: "…" });
// `+notify` interest for the nodes whose PEP notifications we want (XEP-0163).
const ps = client.use(pubsub, { notify: ["urn:example:status"] });

// Every event about one node, from contacts' PEP or services we subscribed to.
const stopWatching = ps.onNode("urn:example:status", (event) => {
  if (event.type === "item") console.log(event.service, "now", event.payload?.text());
  if (event.type === "retract") console.log(event.service, "retracted", event.id);
});
ps.on("delete", ({ service, node }) => console.log(service, "deleted", node));

await client.start();

// PEP: publish to our own node, readable by anyone (the node is reconfigured if it differs).
await ps.publish("urn:example:status", xml("status", { xmlns: "urn:example:status" }, "ready"), {
  id: "current",
  options: { access_model: "open" },
});

// A contact's latest item, and a service node we own.
const [latest] = await ps.items("urn:example:status", { service: "alice@example.org", max: 1 });
console.log(latest?.payload?.text());
try {
  await ps.createNode("news", { service: "pubsub.example.org", config: { max_items: 10 } });
} catch (error) {
  if (!(error instanceof PubsubError) || error.condition !== "conflict") throw error;
}
await ps.subscribe("pubsub.example.org", "news");
stopWatching();
